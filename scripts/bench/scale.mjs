// npm run bench:scale: refresh latency on the embedded database with 10 000 and with
// 10 million refresh-token rows, side by side. The rows are bulk-loaded straight into the
// SQLite file (not through HTTP) as 1 000 000 sessions of 10 chained tokens, issued evenly over
// the 30 days before the run as a server in service would have issued them. Then the built
// server is started on each database in turn and measured with autocannon as in `npm run bench`
// (server on core 0, load on core 1, 50 connections, each request a fresh token), interleaving
// the two over the repeats and quoting medians.
//
//   npm run bench:scale [-- --rows 10000000 --duration 10 --repeats 3 --legacy-keys]
//
// --legacy-keys loads the rows with the keys of tokens issued before keys carried their issue
// instant (a bare hex SHA-256), as a database upgraded from that version holds them.
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bulkLoad } from './bulk-load.mjs';
import { arg, freePort, log, pinLoadToCore1, startPinned, stop, waitFor } from './processes.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIG = Number(arg('rows', 10_000_000));
const SMALL = 10_000;
const DURATION = Number(arg('duration', 10));
const REPEATS = Number(arg('repeats', 3));
const LEGACY_KEYS = process.argv.includes('--legacy-keys');
const CONNECTIONS = 50;
const TASKSET = pinLoadToCore1();

function startServer(databasePath, admin, port) {
  const args = [join(ROOT, 'dist/src/main.js')];
  return startPinned(TASKSET, args, {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: '',
      DATABASE_PATH: databasePath,
      RATE_LIMIT_PER_MINUTE: '0',
      BOOTSTRAP_ADMIN_KEY_ID: admin.api_key_id,
      BOOTSTRAP_ADMIN_KEY_SECRET: admin.api_key_secret,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** The storage key the server gives a token issued at `issuedAt` (the built library's own). */
const { issueRefreshToken, refreshTokenKey } = await import(
  join(ROOT, 'dist/libs/auth/src/sessions/refresh-token-key.js')
);
const keyIssuedAt = LEGACY_KEYS
  ? () => refreshTokenKey(randomBytes(32).toString('base64url')) // a 43-character, old-form token
  : (issuedAt) => issueRefreshToken(issuedAt).key;

async function measureRefresh(base, admin) {
  const queue = [];
  for (let i = 0; i < CONNECTIONS * 4; i += 1) {
    const response = await fetch(`${base}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(admin),
    });
    queue.push((await response.json()).refresh_token);
  }
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [
      {
        method: 'POST',
        path: '/auth/token/refresh',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: JSON.stringify({ refresh_token: queue.shift() }) }),
        onResponse: (status, body) => {
          if (status === 200) queue.push(JSON.parse(body).refresh_token);
        },
      },
    ],
  });
  return {
    rps: Math.round(result.requests.total / DURATION),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
  };
}

/** A fresh database with migrations, the bootstrap admin and `rows` bulk-loaded tokens. */
async function prepare(rows) {
  const dir = mkdtempSync(join(tmpdir(), 'auth-scale-'));
  const databasePath = join(dir, 'auth.sqlite');
  const admin = {
    api_key_id: 'scale-admin-key-000001',
    api_key_secret: randomBytes(32).toString('base64url'),
  };
  const port = await freePort();
  const server = startServer(databasePath, admin, port);
  await waitFor(`http://127.0.0.1:${port}/health`);
  await stop(server);
  const count = bulkLoad(databasePath, rows, { keyIssuedAt });
  return { dir, databasePath, admin, count, db_mb: Math.round(statSync(databasePath).size / 1e6) };
}

/** One measurement: a server started on the database, measured, stopped. */
async function measure(database) {
  const port = await freePort();
  const server = startServer(database.databasePath, database.admin, port);
  try {
    await waitFor(`http://127.0.0.1:${port}/health`);
    return await measureRefresh(`http://127.0.0.1:${port}`, database.admin);
  } finally {
    await stop(server);
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  log(
    `scale: refresh with ${SMALL.toLocaleString('en')} and ${BIG.toLocaleString('en')} refresh-token rows${LEGACY_KEYS ? ' (old-form keys)' : ''}, ${REPEATS} interleaved repeats of ${DURATION} s`,
  );
  const databases = [];
  try {
    for (const rows of [SMALL, BIG]) {
      log(`preparing ${rows.toLocaleString('en')} rows`);
      databases.push({ ...(await prepare(rows)), runs: [] });
    }
    for (let repeat = 1; repeat <= REPEATS; repeat += 1) {
      for (const database of databases) {
        const run = await measure(database);
        database.runs.push(run);
        log(
          `  repeat ${repeat}, ${database.count.toLocaleString('en')} rows: ${JSON.stringify(run)}`,
        );
      }
    }
  } finally {
    for (const database of databases) rmSync(database.dir, { recursive: true, force: true });
  }
  const summary = databases.map((database) => ({
    rows: database.count,
    db_mb: database.db_mb,
    rps: median(database.runs.map((run) => run.rps)),
    p50: median(database.runs.map((run) => run.p50)),
    p99: median(database.runs.map((run) => run.p99)),
    p50s: database.runs.map((run) => run.p50),
    non2xx: database.runs.reduce((sum, run) => sum + run.non2xx, 0),
  }));
  const [small, big] = summary;
  console.log(
    `\n| refresh-token rows | database MB | req/s | p50 ms | p99 ms | p50 per repeat | non-2xx |\n|---:|---:|---:|---:|---:|---|---:|`,
  );
  for (const row of summary)
    console.log(
      `| ${row.rows.toLocaleString('en')} | ${row.db_mb} | ${row.rps} | ${row.p50} | ${row.p99} | ${row.p50s.join(', ')} | ${row.non2xx} |`,
    );
  console.log(
    `\nmedian p50 at ${big.rows.toLocaleString('en')} rows / at ${small.rows.toLocaleString('en')} rows: ${(big.p50 / small.p50).toFixed(2)} (target ≤ 1.2)`,
  );
}

main().catch((error) => {
  log(`scale bench failed: ${error.stack ?? error}`);
  process.exit(1);
});

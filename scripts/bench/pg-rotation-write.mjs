// npm run bench:pg-rotation-write: what one rotation's write costs inside PostgreSQL, with
// `refresh_tokens` at several fill factors side by side: PostgreSQL's default of 100 (the
// table before the fill-factor migration) and lower ones that leave room on each page (the
// schema's is 50, see libs/auth/src/migrations/postgres/*-refresh-tokens-fill-factor.ts). For each it loads refresh
// tokens into a fresh copy of the migrated database, then rotates 250 live sessions' tokens
// through the server's own statement (PostgresSessionStatements, 18 rotations per statement:
// the UPDATE that checks and consumes a token, the INSERT of its successor, the audit event), and then
// runs the VACUUM that the dead row versions leave to autovacuum. It reports the database
// backend's CPU per rotation (statements, then that VACUUM), WAL bytes per rotation, the share
// of updates PostgreSQL kept on the row's page ("HOT": no new index entries) and how much the
// table and its indexes grew (after that VACUUM), alternating the variants over the repeats.
// With --session-key it compares instead the schema (fill factor 50, no foreign key) with the
// same table given back the foreign key to `sessions` that round 8 dropped.
//
//   npm run bench:pg-rotation-write [-- --rows 200000 --rotations 20000 --repeats 2 --fill-factors 100,70,50]
//   npm run bench:pg-rotation-write -- --session-key --repeats 4
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, cpuByPid, log, migrateWithServer } from './processes.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const ROWS = Number(arg('rows', 200_000));
const ROTATIONS = Number(arg('rotations', 20_000));
const REPEATS = Number(arg('repeats', 2));
const PER_STATEMENT = 18;
const LIVE_SESSIONS = 250;
const DAY = 86_400_000;

const { Pool } = require('pg');
const { startEmbeddedPostgres } = require(join(ROOT, 'test/setup/embedded-postgres.cjs'));
const { issueRefreshToken } = require(
  join(ROOT, 'dist/libs/auth/src/sessions/refresh-token-key.js'),
);
const { PostgresSessionStatements } = require(
  join(ROOT, 'dist/libs/auth/src/sessions/postgres-session.statements.js'),
);
/** The variants compared, by label; each copy of the migrated database is set to one. */
const VARIANTS = process.argv.includes('--session-key')
  ? {
      'no foreign key (the schema)': { fillFactor: 50, sessionKey: false },
      'foreign key to sessions (before round 8)': { fillFactor: 50, sessionKey: true },
    }
  : Object.fromEntries(
      arg('fill-factors', '100,70,50')
        .split(',')
        .map(Number)
        .map((value) => [
          `fill factor ${value}${value === 100 ? ' (default)' : ''}`,
          { fillFactor: value, sessionKey: false },
        ]),
    );

/** One connection; an idle one closed by the server's shutdown is not an error here. */
function quietPool(connectionString) {
  const pool = new Pool({ connectionString, max: 1 });
  pool.on('error', () => undefined);
  return pool;
}

/** CPU time (µs) a backend has used so far (it has no children of its own to count). */
const cpuMicros = (pid) => cpuByPid([pid]).get(pid);

/** The token table's and its indexes' size on disk, in bytes. */
async function sizes(q) {
  const [row] = (
    await q(
      `SELECT pg_relation_size('refresh_tokens')::float8 AS heap, pg_indexes_size('refresh_tokens')::float8 AS indexes`,
    )
  ).rows;
  return row;
}

async function measure(admin, name, { fillFactor, sessionKey }) {
  await admin.query(`CREATE DATABASE ${name} TEMPLATE migrated`);
  const pool = quietPool(admin.options.connectionString.replace(/\/\w+$/, `/${name}`));
  try {
    const q = (text, values) => pool.query(text, values);
    await q(`ALTER TABLE refresh_tokens SET (fillfactor = ${fillFactor})`);
    if (sessionKey)
      await q(
        `ALTER TABLE refresh_tokens ADD CONSTRAINT fk_refresh_tokens_session FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE`,
      );
    const now = Date.now();
    await q(
      `INSERT INTO api_users (id, name, role, status, created_at, updated_at) VALUES ('u1', 'bench', 'operator', 'active', $1::bigint, $1::bigint)`,
      [now],
    );
    await q(
      `INSERT INTO api_keys (id, api_user_id, secret_hash, created_at) VALUES ('k1', 'u1', 'x', $1)`,
      [now],
    );
    await q(
      `INSERT INTO sessions (id, api_user_id, api_key_id, created_at, expires_at)
       SELECT 's' || g, 'u1', 'k1', $1::bigint, $1::bigint + ${30 * DAY} FROM generate_series(0, $2) g`,
      [now, LIVE_SESSIONS],
    );
    // Consumed links issued over the last 30 days (time-ordered keys, as the server issues).
    await q(
      `INSERT INTO refresh_tokens (token_hash, session_id, generation, created_at, expires_at, consumed_at)
       SELECT lpad(to_hex(t), 12, '0') || md5(g::text), 's' || $3::int, g, t, t + ${30 * DAY}, t + 1
       FROM (SELECT g, $1::bigint - ${30 * DAY} + (g::bigint * ${30 * DAY}) / $2 AS t
             FROM generate_series(1, $2) g) rows
       ORDER BY t`,
      [now, ROWS, LIVE_SESSIONS],
    );
    const live = [];
    for (let i = 0; i < LIVE_SESSIONS; i += 1) {
      const { key } = issueRefreshToken(Date.now());
      await q(
        `INSERT INTO refresh_tokens (token_hash, session_id, generation, created_at, expires_at) VALUES ($1, $2, 0, $3, $3 + ${30 * DAY})`,
        [key, `s${i}`, Date.now()],
      );
      live.push({ key });
    }
    await q('VACUUM ANALYZE');
    const sizeBefore = await sizes(q);
    const [{ pid }] = (await q('SELECT pg_backend_pid() AS pid')).rows;
    const walBefore = (await q('SELECT pg_current_wal_insert_lsn() AS lsn')).rows[0].lsn;
    const statements = new PostgresSessionStatements(pool, (sql) => sql);
    const cpuBefore = cpuMicros(pid);
    for (let done = 0; done < ROTATIONS; done += PER_STATEMENT) {
      const links = Array.from(
        { length: PER_STATEMENT },
        (_, i) => live[(done + i) % LIVE_SESSIONS],
      );
      // Submitted in one turn, so they share one statement as a turn's rotations do.
      const won = await Promise.all(
        links.map((link) => {
          const at = Date.now();
          const successor = issueRefreshToken(at).key;
          const write = statements.rotateIfAllowed({
            presentedHash: link.key,
            now: at,
            successorHash: successor,
            successorSealed: null,
            successorTtlMs: 30 * DAY,
            forgetSealed: false,
            onlyForApiKey: null,
            auditId: randomUUID(),
            auditIp: '127.0.0.1',
            deadline: Date.now() + 60_000,
          });
          link.key = successor;
          return write;
        }),
      );
      if (won.includes(null)) throw new Error('a rotation lost: the live sessions overlap');
    }
    const statementsCpu = cpuMicros(pid) - cpuBefore;
    const walAfter = (await q('SELECT pg_current_wal_insert_lsn() AS lsn')).rows[0].lsn;
    const [{ bytes }] = (
      await q('SELECT pg_wal_lsn_diff($1, $2)::float8 AS bytes', [walAfter, walBefore])
    ).rows;
    const vacuumBefore = cpuMicros(pid);
    await q('VACUUM refresh_tokens');
    const vacuumCpu = cpuMicros(pid) - vacuumBefore;
    // A backend reports its statistics lazily: flush them before reading.
    await q('SELECT pg_stat_force_next_flush()');
    const [stats] = (
      await q(
        `SELECT n_tup_upd::float8 AS updates, n_tup_hot_upd::float8 AS hot FROM pg_stat_user_tables WHERE relname = 'refresh_tokens'`,
      )
    ).rows;
    const sizeAfter = await sizes(q);
    const perThousand = (bytes) => (1000 * bytes) / ROTATIONS / 1024;
    return {
      heapKb: perThousand(sizeAfter.heap - sizeBefore.heap),
      indexKb: perThousand(sizeAfter.indexes - sizeBefore.indexes),
      us: statementsCpu / ROTATIONS,
      vacuumUs: vacuumCpu / ROTATIONS,
      walBytes: bytes / ROTATIONS,
      hot: stats.updates ? stats.hot / stats.updates : null,
    };
  } finally {
    await pool.end();
    await admin.query(`DROP DATABASE ${name}`);
  }
}

const postgres = await startEmbeddedPostgres();
const adminUrl = postgres.url;
try {
  const setup = quietPool(adminUrl);
  await setup.query('CREATE DATABASE migrated');
  await setup.end();
  await migrateWithServer(join(ROOT, 'dist/src/main.js'), {
    DATABASE_URL: adminUrl.replace(/\/\w+$/, '/migrated'),
    // The server refuses PostgreSQL without it; this run only migrates.
    KEY_ENCRYPTION_SECRET: 'bench-key-encryption-secret-0123456789-abcdef',
  });
  const admin = quietPool(adminUrl);
  const results = [];
  let n = 0;
  for (let repeat = 1; repeat <= REPEATS; repeat += 1)
    for (const [variant, settings] of Object.entries(VARIANTS)) {
      const run = await measure(admin, `rotation_${(n += 1)}`, settings);
      log(
        `  ${variant}: ${run.us.toFixed(1)} µs statements + ${run.vacuumUs.toFixed(1)} µs VACUUM, ${Math.round(run.walBytes)} WAL bytes per rotation, ${(100 * run.hot).toFixed(0)}% HOT`,
      );
      results.push({ variant, ...run });
    }
  await admin.end();
  console.log(
    `\n${ROWS.toLocaleString('en')} rows, ${ROTATIONS.toLocaleString('en')} rotations, ${PER_STATEMENT} per statement\n\n| refresh_tokens | backend CPU µs per rotation (statements) | VACUUM afterwards | WAL bytes per rotation | HOT updates | table growth, KB per 1000 rotations | index growth |\n|---|---|---|---|---|---|---|`,
  );
  for (const variant of Object.keys(VARIANTS)) {
    const runs = results.filter((r) => r.variant === variant);
    const list = (pick) => runs.map(pick).join(', ');
    console.log(
      `| ${variant} | ${list((r) => r.us.toFixed(1))} | ${list((r) => r.vacuumUs.toFixed(1))} | ${list((r) => Math.round(r.walBytes))} | ${list((r) => `${(100 * r.hot).toFixed(0)}%`)} | ${list((r) => Math.round(r.heapKb))} | ${list((r) => Math.round(r.indexKb))} |`,
    );
  }
} finally {
  await postgres.stop();
}

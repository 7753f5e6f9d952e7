// npm run bench:cleanup: one pass of the session clean-up on a large embedded database, and how
// long it holds the event loop. On SQLite every query runs on the event loop, so a pass that
// reads a whole table in one statement stops every request for that long. The rows are
// bulk-loaded as in `npm run bench:scale` (sessions of 10 chained tokens over 30 days), with
// time-ordered session ids as the server makes them and every Nth session expired; then the
// built server's own application is created in this process and its clean-up run once, while
// an immediate that requeues itself records the gaps between the event loop's turns.
//
//   npm run bench:cleanup [-- --rows 10000000 --expired-every 1000]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bulkLoad } from './bulk-load.mjs';
import { arg, log, migrateWithServer } from './processes.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ROWS = Number(arg('rows', 10_000_000));
const EXPIRED_EVERY = Number(arg('expired-every', 1000));
const dist = (path) => import(join(ROOT, 'dist', path));

/** Runs `work` and returns its result with the gaps (ms) between the event loop's turns. */
async function withTurnGaps(work) {
  const gaps = [];
  let last = performance.now();
  let counting = true;
  const turn = () => {
    const at = performance.now();
    gaps.push(at - last);
    last = at;
    if (counting) setImmediate(turn);
  };
  setImmediate(turn);
  const result = await work();
  // The stretch from the last turn to the end counts too: a pass that never yields is one gap.
  gaps.push(performance.now() - last);
  counting = false;
  return { result, gaps: gaps.sort((a, b) => b - a) };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'auth-cleanup-'));
  const databasePath = join(dir, 'auth.sqlite');
  const databaseEnv = {
    DATABASE_URL: '',
    DATABASE_PATH: databasePath,
    BOOTSTRAP_ADMIN_KEY_ID: 'cleanup-admin-key-0001',
    BOOTSTRAP_ADMIN_KEY_SECRET: randomBytes(32).toString('base64url'),
  };
  try {
    await migrateWithServer(join(ROOT, 'dist/src/main.js'), databaseEnv);
    const { issueRefreshToken } = await dist('libs/auth/src/sessions/refresh-token-key.js');
    const { uuidv7 } = await dist('libs/auth/src/common/ids.js');
    log(`loading ${ROWS.toLocaleString('en')} rows, every ${EXPIRED_EVERY}th session expired`);
    const rows = bulkLoad(databasePath, ROWS, {
      keyIssuedAt: (issuedAt) => issueRefreshToken(issuedAt).key,
      sessionId: uuidv7,
      expiredEvery: EXPIRED_EVERY,
    });

    const { createApp } = await dist('src/app.factory.js');
    const { loadConfig } = await dist('src/config/env.js');
    const { SessionCleanupService } = await dist(
      'libs/auth/src/sessions/session-cleanup.service.js',
    );
    const app = await createApp(loadConfig({ ...process.env, ...databaseEnv }), { logger: false });
    try {
      // The load left this process's heap full of garbage: collect it now (npm run bench:cleanup
      // passes --expose-gc), so that no major collection of the loader's leftovers lands in the
      // pass and passes for a stall of the clean-up.
      globalThis.gc?.();
      const started = performance.now();
      const { result: report, gaps } = await withTurnGaps(() =>
        app.get(SessionCleanupService).run(Date.now()),
      );
      const summary = {
        refresh_token_rows: rows,
        database_mb: Math.round(statSync(databasePath).size / 1e6),
        pass_ms: Math.round(performance.now() - started),
        event_loop_turns: gaps.length,
        longest_stalls_ms: gaps.slice(0, 5).map((gap) => Number(gap.toFixed(1))),
        p99_gap_ms: Number(gaps[Math.floor(gaps.length / 100)].toFixed(2)),
        report,
      };
      console.log(JSON.stringify(summary, null, 2));
    } finally {
      await app.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  log(`bench:cleanup failed: ${error.stack ?? error}`);
  process.exit(1);
});

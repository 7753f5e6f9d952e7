// npm run bench:rotation-write: what one rotation's write costs on the embedded database with
// refresh-token keys of the old form (a bare hex SHA-256, random) and of the current form
// (issue instant first, see libs/auth/src/sessions/refresh-token-key.ts), side by side. For
// each form and table size it bulk-loads refresh tokens into a copy of a freshly migrated
// database, then rotates 250 live sessions' tokens (the UPDATE that consumes a token and the
// INSERT of its successor, as the server runs them) in commits of 18, the server's average
// group commit under the refresh bench. It reports WAL frames written per rotation (from the
// log's size) and CPU µs per rotation, alternating the two forms over the repeats.
//
//   npm run bench:rotation-write [-- --rows 10000,1000000 --rotations 20000 --repeats 2]
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, log, migrateWithServer } from './processes.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SIZES = arg('rows', '10000,1000000').split(',').map(Number);
const ROTATIONS = Number(arg('rotations', 20_000));
const REPEATS = Number(arg('repeats', 2));
const PER_COMMIT = 18;
const LIVE_SESSIONS = 250;
const FRAME_BYTES = 4096 + 24; // page size and frame header

const { issueRefreshToken, refreshTokenKey } = await import(
  join(ROOT, 'dist/libs/auth/src/sessions/refresh-token-key.js')
);
const KEYS = {
  // A 43-character token: the library keys it the old way, by its hex SHA-256.
  'old form (hex SHA-256)': () => refreshTokenKey(randomBytes(32).toString('base64url')),
  'issue instant first': (issuedAt) => issueRefreshToken(issuedAt).key,
};

/** A database migrated by the built server itself, as every copy starts from. */
async function migratedDatabase(dir) {
  const file = join(dir, 'migrated.sqlite');
  await migrateWithServer(join(ROOT, 'dist/src/main.js'), {
    DATABASE_URL: '',
    DATABASE_PATH: file,
  });
  return file;
}

function measure(template, dir, keyOf, rows) {
  const file = join(dir, `run-${randomBytes(4).toString('hex')}.sqlite`);
  copyFileSync(template, file);
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // The rows reference sessions that are not there: only the token table is measured.
    db.pragma('foreign_keys = OFF');
    const insert = db.prepare(
      'INSERT INTO refresh_tokens (token_hash, session_id, generation, created_at, expires_at, consumed_at, successor_hash, successor_sealed) VALUES (?, ?, ?, ?, ?, NULL, NULL, NULL)',
    );
    const consume = db.prepare(
      'UPDATE refresh_tokens SET consumed_at = ?, successor_hash = ?, successor_sealed = ? WHERE token_hash = ? AND consumed_at IS NULL',
    );
    const now = Date.now();
    const span = 30 * 86_400_000;
    const load = db.transaction((from, count) => {
      for (let i = from; i < from + count; i += 1) {
        const issuedAt = now - span + Math.floor((i * span) / rows);
        insert.run(keyOf(issuedAt), `bulk-${i % 100_000}`, i, issuedAt, issuedAt + span);
      }
    });
    for (let done = 0; done < rows; done += 50_000) load(done, Math.min(50_000, rows - done));
    const live = Array.from({ length: LIVE_SESSIONS }, (_, i) => {
      const key = keyOf(Date.now());
      insert.run(key, `live-${i}`, 0, Date.now(), Date.now() + span);
      return { sessionId: `live-${i}`, key, generation: 0 };
    });
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('wal_autocheckpoint = 0');
    const commit = db.transaction((links) => {
      for (const link of links) {
        const at = Date.now();
        const successor = keyOf(at);
        if (consume.run(at, successor, null, link.key).changes !== 1) throw new Error('lost race');
        insert.run(successor, link.sessionId, link.generation + 1, at, at + span);
        link.key = successor;
        link.generation += 1;
      }
    });
    const started = process.cpuUsage();
    for (let done = 0; done < ROTATIONS; done += PER_COMMIT)
      commit(Array.from({ length: PER_COMMIT }, (_, i) => live[(done + i) % LIVE_SESSIONS]));
    const cpu = process.cpuUsage(started);
    return {
      frames: statSync(`${file}-wal`).size / FRAME_BYTES / ROTATIONS,
      us: (cpu.user + cpu.system) / ROTATIONS,
    };
  } finally {
    db.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  }
}

const dir = mkdtempSync(join(tmpdir(), 'auth-rotation-write-'));
try {
  const template = await migratedDatabase(dir);
  const results = [];
  for (const rows of SIZES)
    for (let repeat = 1; repeat <= REPEATS; repeat += 1)
      for (const [form, keyOf] of Object.entries(KEYS)) {
        const run = measure(template, dir, keyOf, rows);
        log(
          `  ${rows.toLocaleString('en')} rows, ${form}: ${run.frames.toFixed(2)} frames, ${run.us.toFixed(1)} µs per rotation`,
        );
        results.push({ rows, form, ...run });
      }
  console.log(
    '\n| rows | keys | WAL frames per rotation | CPU µs per rotation |\n|---:|---|---|---|',
  );
  for (const rows of SIZES)
    for (const form of Object.keys(KEYS)) {
      const runs = results.filter((r) => r.rows === rows && r.form === form);
      console.log(
        `| ${rows.toLocaleString('en')} | ${form} | ${runs.map((r) => r.frames.toFixed(2)).join(', ')} | ${runs.map((r) => r.us.toFixed(1)).join(', ')} |`,
      );
    }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// The bulk loader of the scale benchmarks: refresh tokens straight into a migrated SQLite file.
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { log } from './processes.mjs';

/**
 * Fills a migrated SQLite database with `rows` refresh tokens: sessions of 10 chained tokens,
 * 9 consumed, issued evenly over the 30 days before now, straight into the file (not through
 * HTTP). `keyIssuedAt(instant)` gives a token's storage key; `sessionId()` a session's id;
 * with `expiredEvery` N, every Nth session is past its absolute lifetime. Returns the count.
 */
export function bulkLoad(
  databasePath,
  rows,
  { keyIssuedAt, sessionId = () => randomBytes(18).toString('hex').slice(0, 36), expiredEvery = 0 },
) {
  const db = new Database(databasePath);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const { id: userId } = db.prepare("SELECT id FROM api_users WHERE role = 'admin'").get();
  const { id: keyId } = db.prepare('SELECT id FROM api_keys WHERE api_user_id = ?').get(userId);
  const insertSession = db.prepare(
    'INSERT INTO sessions (id, api_user_id, api_key_id, created_at, expires_at, revoked_at, revoked_reason, ip) VALUES (?, ?, ?, ?, ?, NULL, NULL, NULL)',
  );
  const insertToken = db.prepare(
    'INSERT INTO refresh_tokens (token_hash, session_id, generation, created_at, expires_at, consumed_at, successor_hash, successor_sealed) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)',
  );
  const now = Date.now();
  const far = now + 30 * 86_400_000;
  const span = 30 * 86_400_000;
  const perSession = 10;
  let loaded = 0;
  let sessionsLoaded = 0;
  // Row by row, the issue instants run from 30 days ago to now.
  const nextIssuedAt = () => now - span + Math.floor((loaded++ * span) / rows);
  const batch = db.transaction((sessions) => {
    for (let s = 0; s < sessions; s += 1) {
      const id = sessionId();
      const expired = expiredEvery > 0 && sessionsLoaded++ % expiredEvery === 0;
      insertSession.run(id, userId, keyId, now, expired ? now - 1 : far);
      let nextAt = nextIssuedAt();
      let next = keyIssuedAt(nextAt);
      for (let g = 0; g < perSession; g += 1) {
        const [current, currentAt] = [next, nextAt];
        nextAt = nextIssuedAt();
        next = keyIssuedAt(nextAt);
        const consumed = g < perSession - 1;
        insertToken.run(
          current,
          id,
          g,
          currentAt,
          far,
          consumed ? nextAt : null,
          consumed ? next : null,
        );
      }
    }
  });
  const started = Date.now();
  const total = Math.ceil(rows / perSession);
  for (let done = 0; done < total; done += 10_000) {
    batch(Math.min(10_000, total - done));
    if ((done / 10_000) % 10 === 0)
      log(
        `  loaded ${(done * perSession).toLocaleString('en')} rows (${Math.round((Date.now() - started) / 1000)} s)`,
      );
  }
  const count = db.prepare('SELECT COUNT(*) AS n FROM refresh_tokens').get().n;
  db.close();
  log(
    `  ${count.toLocaleString('en')} refresh-token rows in ${Math.round((Date.now() - started) / 1000)} s`,
  );
  return count;
}

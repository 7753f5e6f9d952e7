import { startTestApp } from '../support/test-app';
import { adminTokens } from '../support/factories';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

// PostgreSQL only: SQLite has no fill factor, and rewrites a row in place anyway.
describe('refresh_tokens pages on PostgreSQL', () => {
  let db: TestDatabase;

  beforeEach(async () => {
    db = await createTestDatabase('postgres');
  });
  afterEach(() => db.drop());

  it('leaves room in refresh-token pages, so consuming a token adds no index entries', async () => {
    const t = await startTestApp({ db });
    const runner = t.dataSource.createQueryRunner();
    try {
      await adminTokens(t.http);
      const [{ id: sessionId }] = await runner.query('SELECT id FROM sessions LIMIT 1');
      await runner.startTransaction();
      // Enough links to fill more than one page: at PostgreSQL's default fill factor the
      // first page is then full, and consuming a link on it moves the row to another page.
      await runner.query(
        `INSERT INTO refresh_tokens (token_hash, session_id, generation, created_at, expires_at)
         SELECT 'fill-' || lpad(g::text, 4, '0'), $1, g, 1, 2 FROM generate_series(1, 120) g`,
        [sessionId],
      );
      await runner.query(
        `UPDATE refresh_tokens SET consumed_at = 1, successor_hash = 'fill-0121'
         WHERE token_hash = 'fill-0001'`,
      );
      const [{ hot }] = await runner.query(
        `SELECT pg_stat_get_xact_tuples_hot_updated('refresh_tokens'::regclass) AS hot`,
      );
      expect(Number(hot)).toBe(1);
      await runner.rollbackTransaction();
    } finally {
      await runner.release();
      await t.close();
    }
  });
});

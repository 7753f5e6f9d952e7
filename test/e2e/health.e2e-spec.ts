import { Client } from 'pg';
import { startTestApp, type TestApp } from '../support/test-app';

describe('Health: liveness and readiness', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Readiness waits DATABASE_TIMEOUT_MS for its write: short here.
    t = await startTestApp({ env: { DATABASE_TIMEOUT_MS: '1500' } });
  });
  afterAll(() => t.dispose());

  it('answers 200 on /health/live, /health/ready and /health, never cached', async () => {
    for (const path of ['/health/live', '/health/ready', '/health']) {
      const response = await t.http.get(path).expect(200);
      expect({ path, status: response.body.status }).toEqual({ path, status: 'ok' });
      expect({ path, cache: response.headers['cache-control'] }).toEqual({
        path,
        cache: 'no-store',
      });
    }
    const ready = await t.http.get('/health/ready').expect(200);
    expect(Object.keys(ready.body.details).sort()).toEqual(['database', 'shutdown', 'signing_key']);
  });

  it('says 503 on readiness, and still 200 on liveness, while the database answers reads but refuses writes', async () => {
    // A ping only reads: it stayed 200 through a full disk. The readiness probe writes.
    const refuseWrites = await refuseWritesOn(t);
    try {
      const started = Date.now();
      const checks = await Promise.all(
        Array.from({ length: 20 }, () => t.http.get('/health/ready')),
      );
      const elapsed = Date.now() - started;
      expect(checks.map((check) => check.status)).toEqual(Array(20).fill(503));
      expect(checks[0].headers['cache-control']).toBe('no-store');
      expect(checks[0].body).toEqual({
        error: { code: 'service_unavailable', message: expect.any(String) },
      });
      // Within the probe's timeout (DATABASE_TIMEOUT_MS, 1.5 s here), however long the database would make it wait.
      expect(elapsed).toBeLessThan(2500);
      // Concurrent checks share one probe: one write waited on the database, never more.
      if (t.db.kind === 'postgres') expect(refuseWrites.mostWritesWaiting()).toBe(1);
      await t.http.get('/health').expect(503);
      await t.http.get('/health/live').expect(200);
      await t.dataSource.query('SELECT 1');
    } finally {
      await refuseWrites.end();
    }
    await t.http.get('/health/ready').expect(200);
  });
});

interface WriteRefusal {
  /** The most probe writes seen waiting at once (PostgreSQL; 0 on SQLite, where none wait). */
  mostWritesWaiting(): number;
  end(): Promise<void>;
}

/**
 * Makes the database refuse the probe's write while reads go on. SQLite: `query_only` on the
 * server's connection (writes fail at once with SQLITE_READONLY). PostgreSQL: another session
 * holds an exclusive lock on the probe's table, so the write waits (as on a database that
 * cannot write) until the server gives up.
 */
async function refuseWritesOn(t: TestApp): Promise<WriteRefusal> {
  if (t.db.kind === 'sqlite') {
    await t.dataSource.query('PRAGMA query_only = 1');
    return {
      mostWritesWaiting: () => 0,
      end: () => t.dataSource.query('PRAGMA query_only = 0'),
    };
  }
  const locker = new Client({ connectionString: t.db.env.DATABASE_URL });
  await locker.connect();
  await locker.query('BEGIN');
  await locker.query('LOCK TABLE health_probe IN EXCLUSIVE MODE');
  // Its own session: inside the locker's transaction pg_stat_activity would stay one snapshot.
  const observer = new Client({ connectionString: t.db.env.DATABASE_URL });
  await observer.connect();
  let most = 0;
  const watcher = setInterval(() => {
    void observer
      .query<{ waiting: number }>(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity
         WHERE query LIKE 'UPDATE health_probe%' AND wait_event_type = 'Lock'`,
      )
      .then(({ rows }) => (most = Math.max(most, rows[0].waiting)))
      .catch(() => undefined);
  }, 50);
  return {
    mostWritesWaiting: () => most,
    end: async () => {
      clearInterval(watcher);
      await locker.query('ROLLBACK');
      await Promise.all([locker.end(), observer.end()]);
    },
  };
}

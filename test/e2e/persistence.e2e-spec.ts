import { AUTH_MIGRATIONS } from '../../libs/auth/src';
import { SqliteCheckpointService } from '../../src/database/sqlite-checkpoint.service';
import { ADMIN_KEY_ID, startTestApp } from '../support/test-app';
import { adminTokens, bearer } from '../support/factories';
import { decodeJwt } from '../support/jwt';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const KEY_SECRET = 'key-encryption-secret-for-tests-0123456789abcdef';

describe('Persistence and start-up', () => {
  let db: TestDatabase;

  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(() => db.drop());

  it('checkpoints the embedded database from a worker, never inside request commits', async () => {
    const t = await startTestApp({ db });
    try {
      if (db.kind === 'sqlite') {
        // Automatic checkpoints are off on the server's connection: the worker does them.
        expect(await t.dataSource.query('PRAGMA wal_autocheckpoint')).toEqual([
          { wal_autocheckpoint: 0 },
        ]);
        expect(t.app.get(SqliteCheckpointService, { strict: false })).toBeInstanceOf(
          SqliteCheckpointService,
        );
      } else {
        expect(() => t.app.get(SqliteCheckpointService, { strict: false })).toThrow();
      }
    } finally {
      await t.close();
    }
  });

  it('runs migrations that match the entities exactly (no pending schema change)', async () => {
    const t = await startTestApp({ db });
    try {
      const pending = await t.dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((query) => query.query)).toEqual([]);
      const migrations: Array<{ name: string }> = await t.dataSource.query(
        'SELECT name FROM migrations',
      );
      expect(migrations).toHaveLength(AUTH_MIGRATIONS[db.kind].length);
    } finally {
      await t.close();
    }
  });

  it('gives registration tokens issued before they expired a 72-hour expiry when migrating', async () => {
    const t = await startTestApp({ db });
    const runner = t.dataSource.createQueryRunner();
    try {
      const admin = (await adminTokens(t.http)).access_token;
      const pending = await t.http
        .post('/api-users')
        .set(bearer(admin))
        .send({ name: 'pending-before-expiry', role: 'operator' })
        .expect(201);
      const Migration = AUTH_MIGRATIONS[db.kind].find((migration) =>
        migration.name.includes('RegistrationTokenExpiry'),
      );
      if (!Migration) throw new Error('no registration-token expiry migration');
      // Back to the schema before the migration, then forward again, as an upgrade runs it.
      await new Migration().down(runner);
      const before = Date.now();
      await new Migration().up(runner);
      const rows: Array<{ id: string; expires: string | number | null }> = await runner.query(
        'SELECT id, registration_token_expires_at AS expires FROM api_users',
      );
      const byId = new Map(rows.map((row) => [row.id, row.expires]));
      const expiry = Number(byId.get(pending.body.id));
      expect(expiry).toBeGreaterThanOrEqual(before + 259_200_000);
      expect(expiry).toBeLessThanOrEqual(Date.now() + 259_200_000);
      // The bootstrap admin has no registration token, so no expiry either.
      expect(rows.filter((row) => row.id !== pending.body.id).map((row) => row.expires)).toEqual([
        null,
      ]);
      await t.http
        .post('/api-users/register')
        .send({ registration_token: pending.body.registration_token })
        .expect(201);
    } finally {
      await runner.release();
      await t.close();
    }
  });

  it('finds the link one back of a chain by session and generation through one index', async () => {
    // Each rotation erases the sealed copy one link back; without an index on both columns it
    // read every earlier link of the chain, so rotations slowed as chains grew.
    const t = await startTestApp({ db });
    const runner = t.dataSource.createQueryRunner();
    try {
      let plan: string;
      if (db.kind === 'sqlite') {
        const rows: { detail: string }[] = await runner.query(
          'EXPLAIN QUERY PLAN UPDATE refresh_tokens SET successor_sealed = NULL WHERE session_id = ? AND generation = ? AND successor_sealed IS NOT NULL',
          ['s', 1],
        );
        plan = rows.map((row) => row.detail).join('\n');
      } else {
        await runner.startTransaction();
        // An empty table would be scanned whatever its indexes: ask which index would serve.
        await runner.query('SET LOCAL enable_seqscan = off');
        const rows: { 'QUERY PLAN': string }[] = await runner.query(
          'EXPLAIN UPDATE refresh_tokens SET successor_sealed = NULL WHERE session_id = $1 AND generation = $2 AND successor_sealed IS NOT NULL',
          ['s', 1],
        );
        await runner.rollbackTransaction();
        plan = rows.map((row) => row['QUERY PLAN']).join('\n');
      }
      expect(plan).toContain('ix_refresh_tokens_session_generation');
      expect(plan).toMatch(/generation/);
    } finally {
      await runner.release();
      await t.close();
    }
  });

  it('keeps the signing key across restarts: tokens from before still verify', async () => {
    const first = await startTestApp({ db });
    const tokens = await adminTokens(first.http);
    const jwksBefore = (await first.http.get('/.well-known/jwks.json')).body;
    await first.close();

    const second = await startTestApp({ db });
    try {
      expect((await second.http.get('/.well-known/jwks.json')).body).toEqual(jwksBefore);
      await second.http.get('/api-users/me').set(bearer(tokens.access_token)).expect(200);
      const fresh = await adminTokens(second.http);
      expect(decodeJwt(fresh.access_token).header.kid).toBe(
        decodeJwt(tokens.access_token).header.kid,
      );
    } finally {
      await second.close();
    }
  });

  it('lets two instances on one database sign with the same key and accept each other’s tokens', async () => {
    const [a, b] = await Promise.all([startTestApp({ db }), startTestApp({ db })]);
    try {
      const fromA = await adminTokens(a.http);
      const fromB = await adminTokens(b.http);
      expect(decodeJwt(fromA.access_token).header.kid).toBe(
        decodeJwt(fromB.access_token).header.kid,
      );
      await b.http.get('/api-users/me').set(bearer(fromA.access_token)).expect(200);
      await a.http.get('/api-users/me').set(bearer(fromB.access_token)).expect(200);
      // Both started at once: still only one bootstrap admin.
      const admins: unknown[] = await a.dataSource.query(
        `SELECT id FROM api_users WHERE role = 'admin'`,
      );
      expect(admins).toHaveLength(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('encrypts the private keys at rest with KEY_ENCRYPTION_SECRET, and refuses to start with a wrong one', async () => {
    const first = await startTestApp({ db, env: { KEY_ENCRYPTION_SECRET: KEY_SECRET } });
    const tokens = await adminTokens(first.http);
    const rows: Array<{ private_key: string }> = await first.dataSource.query(
      'SELECT private_key FROM signing_keys',
    );
    await first.close();
    // The active key and the next one.
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.private_key).toMatch(/^aes256gcm\.v1\./);
      expect(row.private_key).not.toContain('PRIVATE KEY');
    }

    await expect(
      startTestApp({ db, env: { KEY_ENCRYPTION_SECRET: `${KEY_SECRET}-wrong` } }),
    ).rejects.toThrow(/key-encryption secret is wrong/);

    const again = await startTestApp({ db, env: { KEY_ENCRYPTION_SECRET: KEY_SECRET } });
    try {
      await again.http.get('/api-users/me').set(bearer(tokens.access_token)).expect(200);
    } finally {
      await again.close();
    }
  });

  it('creates the bootstrap admin only once, and not again when an admin exists', async () => {
    const first = await startTestApp({ db });
    await first.close();
    const second = await startTestApp({
      db,
      env: {
        BOOTSTRAP_ADMIN_KEY_ID: 'another-admin-key-000001',
        BOOTSTRAP_ADMIN_KEY_SECRET: 'Another-admin-secret-0123456789-abcdefgh',
      },
    });
    try {
      await second.http
        .post('/auth/token')
        .send({
          api_key_id: 'another-admin-key-000001',
          api_key_secret: 'Another-admin-secret-0123456789-abcdefgh',
        })
        .expect(401);
      const keys: Array<{ id: string }> = await second.dataSource.query('SELECT id FROM api_keys');
      expect(keys.map((key) => key.id)).toEqual([ADMIN_KEY_ID]);
    } finally {
      await second.close();
    }
  });

  it('starts with no bootstrap admin configured and no users at all', async () => {
    const t = await startTestApp({
      db,
      env: { BOOTSTRAP_ADMIN_KEY_ID: '', BOOTSTRAP_ADMIN_KEY_SECRET: '' },
    });
    try {
      const users: unknown[] = await t.dataSource.query('SELECT id FROM api_users');
      expect(users).toEqual([]);
      await t.http
        .post('/auth/token')
        .send({ api_key_id: ADMIN_KEY_ID, api_key_secret: 'whatever' })
        .expect(401);
    } finally {
      await t.close();
    }
  });

  it('reports health 200 while the database answers and 503 when it does not', async () => {
    const t = await startTestApp({ db });
    try {
      const healthy = await t.http.get('/health').expect(200);
      expect(healthy.body.status).toBe('ok');
      await t.dataSource.destroy();
      const unhealthy = await t.http.get('/health').expect(503);
      expect(unhealthy.body).toEqual({
        error: { code: 'service_unavailable', message: expect.any(String) },
      });
    } finally {
      await t.close();
    }
  });

  it('answers 500 in the error shape, with no driver detail, when the database fails mid-request', async () => {
    const t = await startTestApp({ db });
    try {
      const tokens = await adminTokens(t.http);
      await t.dataSource.destroy();
      const response = await t.http.get('/api-users').set(bearer(tokens.access_token)).expect(500);
      expect(response.body).toEqual({
        error: { code: 'internal_error', message: 'An internal error occurred.' },
      });
    } finally {
      await t.close();
    }
  });
});

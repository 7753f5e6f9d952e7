import type { LoggerService } from '@nestjs/common';
import { statSync, readFileSync, existsSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { KeyEncryption } from '../../libs/auth/src/keys/key-encryption';
import { buildDataSourceOptions } from '../../src/config/database';
import { secretFileFor } from '../../src/config/key-encryption-secret';
import {
  adminTokens,
  bearer,
  clientSecretOf,
  exchange,
  loggedInOperator,
  refresh,
  registeredUser,
  walletTokens,
} from '../support/factories';
import { decodeJwt } from '../support/jwt';
import {
  ageActiveKey,
  keyWithStatus,
  listKeys,
  msUntil,
  type ListedKey,
} from '../support/signing-keys';
import { startTestApp, type TestApp } from '../support/test-app';
import {
  createTestDatabase,
  currentDbKind,
  TEST_KEY_ENCRYPTION_SECRET,
} from '../support/test-database';

const OPERATION = '/api/v2/wallet/operation';
const SECRET_A = 'first-key-encryption-secret-0123456789-abcdef';
const SECRET_B = 'second-key-encryption-secret-0123456789-abcdef';
const code = (response: { body: { error?: { code?: string } } }) => response.body.error?.code;
const kidOf = (token: string) => decodeJwt(token).header.kid as string;

describe('Signing keys: statuses, rotation, revocation', () => {
  let t: TestApp;
  let admin: string;
  let adminId: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = (await adminTokens(t.http)).access_token;
    adminId = (await t.http.get('/api-users/me').set(bearer(admin)).expect(200)).body.id;
  });
  afterAll(() => t.dispose());

  const rotate = async (): Promise<string> =>
    (await t.http.post('/keys/rotate').set(bearer(admin)).expect(201)).body.kid;
  const jwksKids = async (): Promise<string[]> =>
    (await t.http.get('/.well-known/jwks.json').expect(200)).body.keys.map(
      (key: { kid: string }) => key.kid,
    );

  it('starts with one active and one next key, listed without key material', async () => {
    const keys = await listKeys(t.http, admin);
    expect(keys.map((key) => key.status).sort()).toEqual(['active', 'next']);
    for (const key of keys) {
      expect(Object.keys(key).sort()).toEqual(
        ['activated_at', 'alg', 'created_at', 'kid', 'retired_at', 'revoked_at', 'status'].sort(),
      );
      expect(key.alg).toBe('ES256');
    }
    const active = keys.find((key) => key.status === 'active') as ListedKey;
    expect(active.activated_at).toEqual(expect.any(String));
    const next = keys.find((key) => key.status === 'next') as ListedKey;
    expect(next.activated_at).toBeNull();
    expect(kidOf((await adminTokens(t.http)).access_token)).toBe(active.kid);
  });

  it('rotates: next becomes active, active becomes retired, a fresh next appears; JWKS follows', async () => {
    const before = await listKeys(t.http, admin);
    const oldActive = before.find((key) => key.status === 'active') as ListedKey;
    const oldNext = before.find((key) => key.status === 'next') as ListedKey;
    const oldToken = (await adminTokens(t.http)).access_token;

    const kid = await rotate();
    expect(kid).toBe(oldNext.kid);

    const after = await listKeys(t.http, admin);
    const byKid = new Map(after.map((key) => [key.kid, key]));
    expect(byKid.get(oldActive.kid)).toMatchObject({ status: 'retired', revoked_at: null });
    expect(byKid.get(oldActive.kid)?.retired_at).toEqual(expect.any(String));
    expect(byKid.get(oldNext.kid)).toMatchObject({ status: 'active', retired_at: null });
    const fresh = after.filter((key) => key.status === 'next');
    expect(fresh).toHaveLength(1);
    expect([oldActive.kid, oldNext.kid]).not.toContain(fresh[0].kid);
    expect(after.filter((key) => key.status === 'active')).toHaveLength(1);

    // New tokens are signed by the new active key; the retired key's tokens still verify.
    expect(kidOf((await adminTokens(t.http)).access_token)).toBe(kid);
    await t.http.get('/api-users/me').set(bearer(oldToken)).expect(200);

    // Published: next, active and retired; never private parameters.
    const jwks = (await t.http.get('/.well-known/jwks.json').expect(200)).body.keys;
    expect(jwks.map((key: { kid: string }) => key.kid).sort()).toEqual(
      [oldActive.kid, oldNext.kid, fresh[0].kid].sort(),
    );
    for (const key of jwks) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    }
  });

  it('revokes a retired key: it leaves the JWK set and its tokens are refused at once', async () => {
    const token = (await adminTokens(t.http)).access_token;
    // Verified once, so the bearer guard's cache holds it.
    await t.http.get('/api-users/me').set(bearer(token)).expect(200);
    const signer = kidOf(token);
    await rotate();
    await t.http.get('/api-users/me').set(bearer(token)).expect(200);

    const revoked = await t.http.post(`/keys/${signer}/revoke`).set(bearer(admin)).expect(200);
    expect(revoked.body).toMatchObject({ kid: signer, status: 'revoked', alg: 'ES256' });
    expect(revoked.body.revoked_at).toEqual(expect.any(String));
    expect(await jwksKids()).not.toContain(signer);
    const refused = await t.http.get('/api-users/me').set(bearer(token)).expect(401);
    expect(code(refused)).toBe('unauthorized');
  });

  it('revoking the active key rotates first; its access and wallet tokens are refused', async () => {
    const fresh = await adminTokens(t.http);
    admin = fresh.access_token;
    const operator = await loggedInOperator(t.http, admin);
    const clientSecret = await clientSecretOf(t.http, admin);
    const wallet = await walletTokens(t.http, operator.tokens.refresh_token, clientSecret);
    const spare = await walletTokens(t.http, wallet.refreshToken, clientSecret);
    const spareWallet = spare.walletToken;
    await t.http.get('/api-users/me').set(bearer(operator.tokens.access_token)).expect(200);

    const before = await listKeys(t.http, admin);
    const active = before.find((key) => key.status === 'active') as ListedKey;
    const next = before.find((key) => key.status === 'next') as ListedKey;
    expect(kidOf(operator.tokens.access_token)).toBe(active.kid);
    expect(kidOf(spareWallet)).toBe(active.kid);

    const revoked = await t.http.post(`/keys/${active.kid}/revoke`).set(bearer(admin)).expect(200);
    expect(revoked.body).toMatchObject({ kid: active.kid, status: 'revoked' });
    expect(revoked.body.retired_at).toEqual(expect.any(String));

    // The admin's own token was signed by the revoked key as well.
    await t.http.get('/api-users/me').set(bearer(admin)).expect(401);
    admin = (await adminTokens(t.http)).access_token;
    expect(kidOf(admin)).toBe(next.kid);
    const after = await listKeys(t.http, admin);
    expect(after.find((key) => key.kid === next.kid)?.status).toBe('active');
    expect(after.filter((key) => key.status === 'active')).toHaveLength(1);
    expect(after.filter((key) => key.status === 'next')).toHaveLength(1);

    await t.http.get('/api-users/me').set(bearer(operator.tokens.access_token)).expect(401);
    await t.http.post(OPERATION).set(bearer(spareWallet)).expect(401);
    // The session itself is untouched: a refresh gives tokens under the new key.
    const refreshed = await refresh(t.http, spare.refreshToken).expect(200);
    expect(kidOf(refreshed.body.access_token)).toBe(next.kid);
  });

  it('answers 404 not_found for an unknown kid, and revoking twice changes nothing', async () => {
    const unknown = await t.http
      .post(`/keys/${'A'.repeat(43)}/revoke`)
      .set(bearer(admin))
      .expect(404);
    expect(code(unknown)).toBe('not_found');
    const revoked = (await listKeys(t.http, admin)).find((key) => key.status === 'revoked');
    const again = await t.http.post(`/keys/${revoked?.kid}/revoke`).set(bearer(admin)).expect(200);
    expect(again.body).toEqual(revoked);
  });

  it('revoking the next key keeps a fresh next key ready', async () => {
    const next = await keyWithStatus(t.http, admin, 'next');
    await t.http.post(`/keys/${next.kid}/revoke`).set(bearer(admin)).expect(200);
    const after = await listKeys(t.http, admin);
    expect(after.find((key) => key.kid === next.kid)?.status).toBe('revoked');
    expect(after.filter((key) => key.status === 'next')).toHaveLength(1);
    expect(await jwksKids()).not.toContain(next.kid);
  });

  it('is for admins only', async () => {
    const operator = await loggedInOperator(t.http, admin);
    const asOperator = bearer(operator.tokens.access_token);
    const kid = (await keyWithStatus(t.http, admin, 'next')).kid;
    for (const [method, path] of [
      ['get', '/keys'],
      ['post', '/keys/rotate'],
      ['post', `/keys/${kid}/revoke`],
    ] as const) {
      expect(code(await t.http[method](path).set(asOperator).expect(403))).toBe('forbidden');
      expect(code(await t.http[method](path).expect(401))).toBe('unauthorized');
    }
    expect((await keyWithStatus(t.http, admin, 'next')).kid).toBe(kid);
  });

  it('records signing_key.rotated and signing_key.revoked audit events', async () => {
    const history = await t.http
      .get(`/api-users/${adminId}/history?page_size=100`)
      .set(bearer(admin))
      .expect(200);
    const events = history.body.edges.map(
      (edge: { node: { type: string; data: Record<string, unknown> } }) => edge.node,
    );
    const rotated = events.filter(
      (event: { type: string }) => event.type === 'signing_key.rotated',
    );
    const revoked = events.filter(
      (event: { type: string }) => event.type === 'signing_key.revoked',
    );
    // Two explicit rotations and one for revoking the active key; three revocations.
    expect(rotated).toHaveLength(3);
    expect(revoked).toHaveLength(3);
    expect(rotated[0].data).toEqual({
      kid: expect.any(String),
      previous_kid: expect.any(String),
      automatic: false,
    });
    expect(revoked[0].data).toEqual({ kid: expect.any(String) });
  });
});

describe('The grace-window sealer across rotations', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startTestApp({ env: { REFRESH_REUSE_GRACE_SECONDS: '60' } });
    admin = (await adminTokens(t.http)).access_token;
  });
  afterAll(() => t.dispose());

  it('opens a successor sealed before a rotation (the retired key still opens it)', async () => {
    const { tokens } = await loggedInOperator(t.http, admin);
    const first = await refresh(t.http, tokens.refresh_token).expect(200);
    await t.http.post('/keys/rotate').set(bearer(admin)).expect(201);
    const retry = await refresh(t.http, tokens.refresh_token).expect(200);
    expect(retry.body.refresh_token).toBe(first.body.refresh_token);
  });

  it('does not open what a revoked key sealed: the retry is reuse', async () => {
    const { tokens } = await loggedInOperator(t.http, admin);
    await refresh(t.http, tokens.refresh_token).expect(200);
    const sealer = (await keyWithStatus(t.http, admin, 'active')).kid;
    await t.http.post('/keys/rotate').set(bearer(admin)).expect(201);
    admin = (await adminTokens(t.http)).access_token;
    await t.http.post(`/keys/${sealer}/revoke`).set(bearer(admin)).expect(200);
    const retry = await refresh(t.http, tokens.refresh_token).expect(401);
    expect(code(retry)).toBe('refresh_token_reused');
  });
});

describe('Automatic rotation (SIGNING_KEY_ROTATION_DAYS)', () => {
  it('rotates the active key once it is older than the period, and not before', async () => {
    const t = await startTestApp({ env: { SIGNING_KEY_ROTATION_DAYS: '30' } });
    try {
      const admin = (await adminTokens(t.http)).access_token;
      const active = await keyWithStatus(t.http, admin, 'active');
      await ageActiveKey(t.dataSource, 29);
      // Two reloads pass without a rotation.
      await new Promise((resolve) => setTimeout(resolve, 2200));
      expect((await keyWithStatus(t.http, admin, 'active')).kid).toBe(active.kid);

      await ageActiveKey(t.dataSource, 2);
      const elapsed = await msUntil(
        async () => (await keyWithStatus(t.http, admin, 'active')).kid !== active.kid,
      );
      expect(elapsed).toBeLessThan(1500);
      const keys = await listKeys(t.http, admin);
      expect(keys.find((key) => key.kid === active.kid)?.status).toBe('retired');
      expect(keys.filter((key) => key.status === 'active')).toHaveLength(1);
      const events: Array<{ data: string }> = await t.dataSource.query(
        `SELECT data FROM audit_events WHERE type = 'signing_key.rotated'`,
      );
      expect(events.map((event) => JSON.parse(event.data))).toEqual([
        { kid: expect.any(String), previous_kid: active.kid, automatic: true },
      ]);
    } finally {
      await t.dispose();
    }
  });

  it('never rotates with SIGNING_KEY_ROTATION_DAYS=0', async () => {
    const t = await startTestApp({ env: { SIGNING_KEY_ROTATION_DAYS: '0' } });
    try {
      const admin = (await adminTokens(t.http)).access_token;
      const active = await keyWithStatus(t.http, admin, 'active');
      await ageActiveKey(t.dataSource, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect((await keyWithStatus(t.http, admin, 'active')).kid).toBe(active.kid);
    } finally {
      await t.dispose();
    }
  });

  it('rotates at start-up a key that aged while no instance ran', async () => {
    const first = await startTestApp({ env: { SIGNING_KEY_ROTATION_DAYS: '30' } });
    const admin = (await adminTokens(first.http)).access_token;
    const active = await keyWithStatus(first.http, admin, 'active');
    await ageActiveKey(first.dataSource, 31);
    await first.close();
    const again = await startTestApp({
      db: first.db,
      env: { SIGNING_KEY_ROTATION_DAYS: '30' },
    });
    try {
      const rows: Array<{ kid: string }> = await again.dataSource.query(
        `SELECT kid FROM signing_keys WHERE status = 'active'`,
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].kid).not.toBe(active.kid);
    } finally {
      await again.dispose();
    }
  });
});

describe('Private keys at rest', () => {
  it('on the embedded database without KEY_ENCRYPTION_SECRET, keeps a generated secret in a 0600 file and reuses it', async () => {
    if (currentDbKind() !== 'sqlite') return;
    const warnings: string[] = [];
    const logger: LoggerService = {
      log: () => undefined,
      error: () => undefined,
      warn: (message: unknown) => void warnings.push(String(message)),
    };
    const first = await startTestApp({ logger });
    const file = secretFileFor(first.config.database.path);
    const tokens = await adminTokens(first.http);
    await first.close();
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const secret = readFileSync(file, 'utf8').trim();
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(warnings.filter((message) => message.includes('KEY_ENCRYPTION_SECRET'))).toHaveLength(1);

    // The keys are sealed under it, and the next start finds it again.
    const rows: Array<{ private_key: string }> = await new DataSource(
      buildDataSourceOptions(first.config.database),
    )
      .initialize()
      .then(async (ds) => {
        try {
          return await ds.query('SELECT private_key FROM signing_keys');
        } finally {
          await ds.destroy();
        }
      });
    for (const row of rows) {
      expect(new KeyEncryption(secret).open(row.private_key).stale).toBe(false);
    }
    const again = await startTestApp({ db: first.db });
    try {
      expect(readFileSync(file, 'utf8').trim()).toBe(secret);
      await again.http.get('/api-users/me').set(bearer(tokens.access_token)).expect(200);
    } finally {
      await again.dispose();
    }
  });

  it('on PostgreSQL refuses to start without KEY_ENCRYPTION_SECRET, naming it', async () => {
    if (currentDbKind() !== 'postgres') return;
    const db = await createTestDatabase();
    try {
      await expect(startTestApp({ db, env: { KEY_ENCRYPTION_SECRET: '' } })).rejects.toThrow(
        /^Invalid configuration: KEY_ENCRYPTION_SECRET is required/,
      );
    } finally {
      await db.drop();
    }
  });

  it('encrypts on the first start a key an earlier version stored in clear', async () => {
    const first = await startTestApp({ env: { KEY_ENCRYPTION_SECRET: SECRET_A } });
    const tokens = await adminTokens(first.http);
    const [row]: Array<{ kid: string; private_key: string }> = await first.dataSource.query(
      `SELECT kid, private_key FROM signing_keys WHERE status = 'active'`,
    );
    const { pem } = new KeyEncryption(SECRET_A).open(row.private_key);
    await first.dataSource.query(
      `UPDATE signing_keys SET private_key = '${pem}' WHERE kid = '${row.kid}'`,
    );
    await first.close();

    const again = await startTestApp({ db: first.db, env: { KEY_ENCRYPTION_SECRET: SECRET_A } });
    try {
      const [stored]: Array<{ private_key: string }> = await again.dataSource.query(
        `SELECT private_key FROM signing_keys WHERE kid = '${row.kid}'`,
      );
      expect(stored.private_key).not.toContain('PRIVATE KEY');
      expect(new KeyEncryption(SECRET_A).open(stored.private_key)).toEqual({ pem, stale: false });
      // Still the same key: its tokens verify and it still signs.
      await again.http.get('/api-users/me').set(bearer(tokens.access_token)).expect(200);
      expect(kidOf((await adminTokens(again.http)).access_token)).toBe(row.kid);
    } finally {
      await again.dispose();
    }
  });

  it('re-encrypts every key under a new secret with KEY_ENCRYPTION_SECRET_PREVIOUS', async () => {
    const first = await startTestApp({ env: { KEY_ENCRYPTION_SECRET: SECRET_A } });
    const admin = (await adminTokens(first.http)).access_token;
    await first.http.post('/keys/rotate').set(bearer(admin)).expect(201);
    await first.close();
    const db = first.db;

    await expect(startTestApp({ db, env: { KEY_ENCRYPTION_SECRET: SECRET_B } })).rejects.toThrow(
      /secret is wrong/,
    );
    const changed = await startTestApp({
      db,
      env: { KEY_ENCRYPTION_SECRET: SECRET_B, KEY_ENCRYPTION_SECRET_PREVIOUS: SECRET_A },
    });
    const rows: Array<{ private_key: string }> = await changed.dataSource.query(
      'SELECT private_key FROM signing_keys',
    );
    await changed.close();
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(new KeyEncryption(SECRET_B).open(row.private_key).stale).toBe(false);
    }
    // The previous secret is no longer needed, and no longer enough.
    const after = await startTestApp({ db, env: { KEY_ENCRYPTION_SECRET: SECRET_B } });
    await after.close();
    await expect(startTestApp({ db, env: { KEY_ENCRYPTION_SECRET: SECRET_A } })).rejects.toThrow(
      /secret is wrong/,
    );
    await db.drop();
  });
});

describe('Migration of keys stored before statuses existed', () => {
  it('makes the oldest unretired key active and any other unretired key retired', async () => {
    const first = await startTestApp({ env: { KEY_ENCRYPTION_SECRET: SECRET_A } });
    await first.close();
    const ds = await new DataSource(buildDataSourceOptions(first.config.database)).initialize();
    try {
      const applied = async (): Promise<boolean> =>
        (await ds.query(`SELECT name FROM migrations WHERE name LIKE '%SigningKeyStatuses%'`))
          .length > 0;
      // Back to the schema before statuses (undoing anything added after it as well).
      while (await applied()) await ds.undoLastMigration();
      await ds.query('DELETE FROM signing_keys');
      const insert = (kid: string, createdAt: number, retiredAt: number | null) =>
        ds.query(
          `INSERT INTO signing_keys (kid, algorithm, public_jwk, private_key, created_at, retired_at) VALUES ('${kid}', 'ES256', '{}', 'sealed', ${createdAt}, ${retiredAt ?? 'NULL'})`,
        );
      await insert('long-retired', 500, 900);
      await insert('oldest-unretired', 1000, null);
      await insert('younger-unretired', 2000, null);
      const started = Date.now();
      await ds.runMigrations();
      const rows: Array<{
        kid: string;
        status: string;
        activated_at: string | number | null;
        retired_at: string | number | null;
      }> = await ds.query(
        'SELECT kid, status, activated_at, retired_at FROM signing_keys ORDER BY created_at',
      );
      expect(rows.map((row) => [row.kid, row.status])).toEqual([
        ['long-retired', 'retired'],
        ['oldest-unretired', 'active'],
        ['younger-unretired', 'retired'],
      ]);
      expect(Number(rows[0].retired_at)).toBe(900);
      expect(Number(rows[1].activated_at)).toBe(1000);
      expect(rows[1].retired_at).toBeNull();
      expect(Number(rows[2].retired_at)).toBeGreaterThanOrEqual(started);
    } finally {
      await ds.destroy();
      await first.db.drop();
    }
  });
});

/** Every table of the database, from its catalogue: new tables are covered without a change. */
async function allTables(dataSource: DataSource): Promise<string[]> {
  const rows: Array<{ name: string }> =
    dataSource.options.type === 'postgres'
      ? await dataSource.query(
          `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
        )
      : await dataSource.query(
          `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`,
        );
  return rows.map((row) => row.name);
}

describe('No key material or secret in clear, in any column of any table', () => {
  it('after a full flow on a fresh server', async () => {
    const env: Record<string, string> =
      currentDbKind() === 'postgres' ? {} : { KEY_ENCRYPTION_SECRET: SECRET_A };
    const t = await startTestApp({ env });
    try {
      const secrets: string[] = [t.config.keyEncryptionSecret ?? TEST_KEY_ENCRYPTION_SECRET];
      const admin = await adminTokens(t.http);
      secrets.push(admin.access_token, admin.refresh_token);
      const refreshed = (await refresh(t.http, admin.refresh_token).expect(200)).body;
      secrets.push(refreshed.access_token, refreshed.refresh_token);
      const adminAccess = refreshed.access_token;

      const created = await t.http
        .post('/api-users')
        .set(bearer(adminAccess))
        .send({ name: 'scan-operator', role: 'operator' })
        .expect(201);
      secrets.push(created.body.registration_token);
      const registered = await t.http
        .post('/api-users/register')
        .send({ registration_token: created.body.registration_token })
        .expect(201);
      secrets.push(registered.body.api_key_secret);
      const user = await registeredUser(t.http, adminAccess);
      secrets.push(user.apiKeySecret);
      const extraKey = await t.http
        .post(`/api-users/${user.apiUserId}/api-keys`)
        .set(bearer(adminAccess))
        .expect(201);
      secrets.push(extraKey.body.api_key_secret);

      const clientSecret = await clientSecretOf(t.http, adminAccess);
      secrets.push(clientSecret);
      const operator = await exchange(
        t.http,
        registered.body.api_key_id,
        registered.body.api_key_secret,
      );
      secrets.push(operator.access_token, operator.refresh_token);
      const wallet = await walletTokens(t.http, operator.refresh_token, clientSecret);
      secrets.push(wallet.walletToken, wallet.refreshToken);
      await t.http.post(OPERATION).set(bearer(wallet.walletToken)).expect(200);

      await t.http.post('/keys/rotate').set(bearer(adminAccess)).expect(201);
      const afterRotation = await refresh(t.http, wallet.refreshToken).expect(200);
      secrets.push(afterRotation.body.access_token, afterRotation.body.refresh_token);

      const tables = await allTables(t.dataSource);
      expect(tables).toEqual(expect.arrayContaining(['signing_keys', 'refresh_tokens']));
      const offenders: string[] = [];
      let cells = 0;
      for (const table of tables) {
        const rows: Array<Record<string, unknown>> = await t.dataSource.query(
          `SELECT * FROM "${table}"`,
        );
        for (const row of rows) {
          for (const [column, value] of Object.entries(row)) {
            if (value === null || value === undefined) continue;
            cells += 1;
            const text = Buffer.isBuffer(value)
              ? value.toString('latin1')
              : typeof value === 'string'
                ? value
                : JSON.stringify(value);
            if (/-----BEGIN/.test(text)) offenders.push(`${table}.${column}: PEM`);
            if (/"d"\s*:/.test(text)) offenders.push(`${table}.${column}: JWK private "d"`);
            for (const secret of secrets) {
              if (text.includes(secret)) offenders.push(`${table}.${column}: a secret or token`);
            }
          }
        }
      }
      expect(offenders).toEqual([]);
      // The scan saw real data: every signing key row and the flow's rows.
      expect(cells).toBeGreaterThan(50);
      const keyRows: unknown[] = await t.dataSource.query('SELECT kid FROM signing_keys');
      expect(keyRows).toHaveLength(3);
    } finally {
      await t.dispose();
    }
  });
});

import { KeyUsageRecorder } from '../../libs/auth/src/sessions/key-usage.recorder';
import { hasValidChecksum } from '../../libs/auth/src/api-users/api-key-secret';
import { decodeJwt } from '../support/jwt';
import {
  ADMIN_KEY_ID,
  ADMIN_KEY_SECRET,
  startTestApp,
  TEST_ISSUER,
  type TestApp,
} from '../support/test-app';
import { adminTokens, bearer, loggedInOperator, refresh } from '../support/factories';

const SEED_002 = '/api/v1/authenticate/refresh';
const DAY_MS = 86_400_000;
const REPORTS = 'https://reports.example.com';
const BILLING = 'urn:example:billing';

/**
 * API keys, second round: a key's name, scopes, expiry and address allow-list, enforced where
 * a key or a session is used (the exchange, and the rotation behind every refresh format).
 * The server trusts X-Forwarded-For here, so each request can come from the address it names.
 */
describe('API key restrictions', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        TRUST_PROXY: 'true',
        API_SCOPES: 'reports:read,reports:write,billing',
        API_KEY_MAX_LIFETIME_DAYS: '365',
        ALLOWED_RESOURCES: `${REPORTS},${BILLING}`,
      },
    });
    admin = (await adminTokens(t.http)).access_token;
  });
  afterAll(() => t.dispose());

  /** A new key of a new operator, with these restrictions; its id and secret. */
  async function keyWith(body: Record<string, unknown>) {
    const operator = await loggedInOperator(t.http, admin);
    const created = await t.http
      .post(`/api-users/${operator.apiUserId}/api-keys`)
      .set(bearer(admin))
      .send(body)
      .expect(201);
    return { operator, key: created.body as Record<string, unknown> & { api_key_id: string } };
  }

  const exchangeFrom = (
    address: string,
    key: { api_key_id: string; api_key_secret?: unknown },
    scope?: string,
  ) =>
    t.http
      .post('/auth/token')
      .set('X-Forwarded-For', address)
      .send({ api_key_id: key.api_key_id, api_key_secret: key.api_key_secret, scope });

  type Key = { api_key_id: string; api_key_secret?: unknown };
  /** POST /oauth/token as the key's client (client_secret_basic), from `address`. */
  const oauthToken = (address: string, key: Key, params: Record<string, string>) =>
    t.http
      .post('/oauth/token')
      .set('X-Forwarded-For', address)
      .auth(key.api_key_id, key.api_key_secret as string)
      .type('form')
      .send(params);
  /** RFC 7662 introspection by the bootstrap admin's client, which may introspect any token. */
  const introspect = async (token: string) =>
    (
      await t.http
        .post('/oauth/introspect')
        .auth(ADMIN_KEY_ID, ADMIN_KEY_SECRET)
        .type('form')
        .send({ token })
        .expect(200)
    ).body as Record<string, unknown>;

  it('creates keys with a name, scopes, expiry and allow-list, shown on create and list', async () => {
    const expiresAt = new Date(Date.now() + 30 * DAY_MS).toISOString();
    const { operator, key } = await keyWith({
      name: 'nightly-report',
      scopes: ['reports:read', 'reports:read', 'billing'],
      expires_at: expiresAt,
      allowed_cidrs: ['203.0.113.0/24', '2001:DB8::/32', '198.51.100.7', '0.0.0.0/0'],
    });
    const restrictions = {
      name: 'nightly-report',
      scopes: ['reports:read', 'billing'],
      expires_at: expiresAt,
      allowed_cidrs: ['203.0.113.0/24', '2001:db8::/32', '198.51.100.7/32', '0.0.0.0/0'],
      last_used_at: null,
      revoked_at: null,
    };
    expect(key).toEqual({
      api_key_id: expect.any(String),
      api_key_secret: expect.any(String),
      created_at: expect.any(String),
      ...restrictions,
    });
    const listed = await t.http
      .get(`/api-users/${operator.apiUserId}/api-keys`)
      .set(bearer(admin))
      .expect(200);
    expect(listed.body.edges[1].node).toEqual({
      api_key_id: key.api_key_id,
      created_at: key.created_at,
      ...restrictions,
    });
  });

  it('refuses bad restrictions with one detail per field', async () => {
    const operator = await loggedInOperator(t.http, admin);
    const create = (body: object) =>
      t.http.post(`/api-users/${operator.apiUserId}/api-keys`).set(bearer(admin)).send(body);
    const refused = await create({
      scopes: ['reports:read', 'unknown:scope'],
      allowed_cidrs: ['10.0.0.0/8', '999.1.1.1/8', 'fd00::/129'],
      expires_at: new Date(Date.now() - 1000).toISOString(),
    }).expect(400);
    expect(refused.body.error.code).toBe('validation_failed');
    expect(
      refused.body.error.details.map((d: { code: string; target: string }) => [d.target, d.code]),
    ).toEqual([
      ['scopes[1]', 'isDeclaredScope'],
      ['allowed_cidrs[1]', 'isCidr'],
      ['allowed_cidrs[2]', 'isCidr'],
      ['expires_at', 'isFuture'],
    ]);
    const tooLate = await create({
      expires_at: new Date(Date.now() + 400 * DAY_MS).toISOString(),
    }).expect(400);
    expect(tooLate.body.error.details).toEqual([
      expect.objectContaining({ target: 'expires_at', code: 'isWithinMaxLifetime' }),
    ]);
    const many = (n: number, of: (i: number) => string) =>
      Array.from({ length: n }, (_, i) => of(i));
    for (const body of [
      { scopes: many(51, () => 'billing') },
      { allowed_cidrs: many(51, (i) => `10.0.${i}.0/24`) },
      { scopes: [] },
      { allowed_cidrs: [] },
      { scopes: ['has space'] },
      { scopes: 'billing' },
      { expires_at: 'tomorrow' },
      { name: '' },
      { name: 'x'.repeat(101) },
      { other: 1 },
    ]) {
      const response = await create(body);
      expect({ body, status: response.status }).toEqual({ body, status: 400 });
      expect({ body, code: response.body.error.code }).toEqual({ body, code: 'validation_failed' });
      expect(response.body.error.details.length).toBeGreaterThan(0);
    }
    // Nothing was created by the refusals: the user has its registration key alone.
    const listed = await t.http
      .get(`/api-users/${operator.apiUserId}/api-keys`)
      .set(bearer(admin))
      .expect(200);
    expect(listed.body.page_info.count).toBe(1);
  });

  it('grants the key scopes, narrowed on request, unchanged across refreshes', async () => {
    const { key } = await keyWith({ scopes: ['reports:read', 'reports:write'] });
    const full = await exchangeFrom('198.51.100.1', key).expect(200);
    expect(decodeJwt(full.body.access_token).payload.scope).toBe('reports:read reports:write');

    const narrowed = await exchangeFrom('198.51.100.1', key, 'reports:read').expect(200);
    expect(decodeJwt(narrowed.body.access_token).payload.scope).toBe('reports:read');
    const refreshed = await refresh(t.http, narrowed.body.refresh_token).expect(200);
    expect(decodeJwt(refreshed.body.access_token).payload.scope).toBe('reports:read');
    const viaProfile = await t.http
      .post(SEED_002)
      .send({ refreshToken: refreshed.body.refresh_token })
      .expect(200);
    expect(decodeJwt(viaProfile.body.jwtToken).payload.scope).toBe('reports:read');

    for (const scope of ['billing', 'reports:read billing', 'bad scope!', '']) {
      const refused = await exchangeFrom('198.51.100.1', key, scope).expect(400);
      expect(refused.body.error.code).toBe(scope === '' ? 'validation_failed' : 'invalid_scope');
    }
  });

  it('narrows scopes through OAuth too, answers and introspects them, and keeps them on its refresh', async () => {
    const { key } = await keyWith({ scopes: ['reports:read', 'reports:write'] });
    const granted = await oauthToken('198.51.100.1', key, {
      grant_type: 'client_credentials',
      scope: 'reports:write',
    }).expect(200);
    expect(granted.body.scope).toBe('reports:write');
    expect(decodeJwt(granted.body.access_token).payload.scope).toBe('reports:write');
    expect(await introspect(granted.body.access_token)).toMatchObject({
      active: true,
      scope: 'reports:write',
    });
    expect(await introspect(granted.body.refresh_token)).toMatchObject({
      active: true,
      scope: 'reports:write',
    });
    const refreshed = await oauthToken('198.51.100.1', key, {
      grant_type: 'refresh_token',
      refresh_token: granted.body.refresh_token,
    }).expect(200);
    expect(refreshed.body.scope).toBe('reports:write');
    expect(decodeJwt(refreshed.body.access_token).payload.scope).toBe('reports:write');
    // Without `scope`, the key's; beyond the key's, the OAuth error.
    const full = await oauthToken('198.51.100.1', key, {
      grant_type: 'client_credentials',
    }).expect(200);
    expect(full.body.scope).toBe('reports:read reports:write');
    const refused = await oauthToken('198.51.100.1', key, {
      grant_type: 'client_credentials',
      scope: 'reports:read billing',
    }).expect(400);
    expect(refused.body.error).toBe('invalid_scope');
  });

  it('issues access tokens for an allowed resource (RFC 8707), kept across refreshes in every format', async () => {
    const { key } = await keyWith({});
    const plain = await exchangeFrom('198.51.100.1', key).expect(200);
    expect(decodeJwt(plain.body.access_token).payload.aud).toBe(TEST_ISSUER);

    const forReports = await t.http
      .post('/auth/token')
      .send({ api_key_id: key.api_key_id, api_key_secret: key.api_key_secret, resource: REPORTS })
      .expect(200);
    expect(decodeJwt(forReports.body.access_token).payload.aud).toBe(REPORTS);
    const refreshed = await refresh(t.http, forReports.body.refresh_token).expect(200);
    expect(decodeJwt(refreshed.body.access_token).payload.aud).toBe(REPORTS);
    const viaProfile = await t.http
      .post(SEED_002)
      .send({ refreshToken: refreshed.body.refresh_token })
      .expect(200);
    expect(decodeJwt(viaProfile.body.jwtToken).payload.aud).toBe(REPORTS);
    const viaOAuth = await oauthToken('198.51.100.1', key, {
      grant_type: 'refresh_token',
      refresh_token: viaProfile.body.refreshToken,
    }).expect(200);
    expect(decodeJwt(viaOAuth.body.access_token).payload.aud).toBe(REPORTS);

    const forBilling = await oauthToken('198.51.100.1', key, {
      grant_type: 'client_credentials',
      resource: BILLING,
    }).expect(200);
    expect(decodeJwt(forBilling.body.access_token).payload.aud).toBe(BILLING);
    // Introspection serves the resource servers too: their tokens are recognised.
    expect(await introspect(forBilling.body.access_token)).toMatchObject({
      active: true,
      aud: BILLING,
    });
    // This server's own routes accept only its own audience.
    await t.http.get('/api-users/me').set(bearer(forBilling.body.access_token)).expect(401);
    await t.http.get('/api-users/me').set(bearer(plain.body.access_token)).expect(200);
  });

  it('refuses a resource that is not allowed with invalid_target, opening no session', async () => {
    const { key } = await keyWith({});
    const sessions = async () =>
      (await t.dataSource.query(`SELECT id FROM sessions WHERE api_key_id = '${key.api_key_id}'`))
        .length;
    const before = await sessions();
    // The default audience is not among ALLOWED_RESOURCES here: it is had by naming none.
    for (const resource of ['https://elsewhere.example.com', `${REPORTS}/`, TEST_ISSUER]) {
      const refused = await t.http
        .post('/auth/token')
        .send({ api_key_id: key.api_key_id, api_key_secret: key.api_key_secret, resource })
        .expect(400);
      expect(refused.body.error).toMatchObject({ code: 'invalid_target', target: 'resource' });
      const viaOAuth = await oauthToken('198.51.100.1', key, {
        grant_type: 'client_credentials',
        resource,
      }).expect(400);
      expect(viaOAuth.body.error).toBe('invalid_target');
    }
    // Bad credentials are still answered as such first.
    const wrongSecret = await t.http
      .post('/auth/token')
      .send({ api_key_id: key.api_key_id, api_key_secret: 'wrong', resource: 'nope' })
      .expect(401);
    expect(wrongSecret.body.error.code).toBe('invalid_credentials');
    expect(await sessions()).toBe(before);
  });

  it('gives no scope claim for a key without scopes unless one is asked for', async () => {
    const { operator } = await keyWith({});
    const key = { api_key_id: operator.apiKeyId, api_key_secret: operator.apiKeySecret };
    const plain = await exchangeFrom('198.51.100.1', key).expect(200);
    expect(decodeJwt(plain.body.access_token).payload).not.toHaveProperty('scope');
    const asked = await exchangeFrom('198.51.100.1', key, 'billing').expect(200);
    expect(decodeJwt(asked.body.access_token).payload.scope).toBe('billing');
    // Only declared scopes (API_SCOPES) may be asked for.
    await exchangeFrom('198.51.100.1', key, 'payroll').expect(400);
  });

  it('refuses an expired key like a revoked one, and the refreshes of its sessions', async () => {
    const { key } = await keyWith({ expires_at: new Date(Date.now() + 1500).toISOString() });
    const pair = await exchangeFrom('198.51.100.1', key).expect(200);
    const viaProfile = await exchangeFrom('198.51.100.1', key).expect(200);
    const next = await refresh(t.http, pair.body.refresh_token).expect(200);
    // Known live to the bearer check before the key expires: the expiry still applies at once.
    await t.http.get('/api-users/me').set(bearer(next.body.access_token)).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 1600));

    const refused = await exchangeFrom('198.51.100.1', key).expect(401);
    expect(refused.body.error.code).toBe('invalid_credentials');
    const refreshRefused = await refresh(t.http, next.body.refresh_token).expect(401);
    expect(refreshRefused.body.error.code).toBe('session_revoked');
    await t.http.post(SEED_002).send({ refreshToken: viaProfile.body.refresh_token }).expect(401);
    await t.http.get('/api-users/me').set(bearer(next.body.access_token)).expect(401);
    // Through OAuth: the expired key is no client, and its access tokens are inactive.
    const oauthRefused = await oauthToken('198.51.100.1', key, {
      grant_type: 'client_credentials',
    }).expect(401);
    expect(oauthRefused.body.error).toBe('invalid_client');
    expect(await introspect(next.body.access_token)).toEqual({ active: false });
    expect(await introspect(next.body.refresh_token)).toEqual({ active: false });
    const failures = await t.dataSource.query(
      `SELECT data FROM audit_events WHERE type = 'auth.failed' AND api_key_id = '${key.api_key_id}'`,
    );
    // One per refused exchange (core, OAuth); refreshes refused write none.
    expect(failures.map((row: { data: string }) => JSON.parse(row.data).reason)).toEqual([
      'api_key_expired',
      'api_key_expired',
    ]);
  });

  it('refuses use from outside the allow-list, without revoking the session', async () => {
    const { key } = await keyWith({ allowed_cidrs: ['203.0.113.0/24', '2001:db8::/32'] });
    const refused = await exchangeFrom('198.51.100.1', key).expect(401);
    expect(refused.body.error.code).toBe('invalid_credentials');
    await exchangeFrom('2001:db9::1', key).expect(401);

    const pair = await exchangeFrom('203.0.113.9', key).expect(200);
    const v6 = await exchangeFrom('2001:db8::42', key).expect(200);
    // A refresh from elsewhere is refused, through every format, and consumes nothing.
    const outside = await refresh(t.http, pair.body.refresh_token)
      .set('X-Forwarded-For', '198.51.100.1')
      .expect(401);
    expect(outside.body.error.code).toBe('session_revoked');
    await t.http
      .post(SEED_002)
      .set('X-Forwarded-For', '198.51.100.1')
      .send({ refreshToken: pair.body.refresh_token })
      .expect(401);
    // From inside again, the same token still works: the session was not revoked.
    await refresh(t.http, pair.body.refresh_token)
      .set('X-Forwarded-For', '203.0.113.200')
      .expect(200);
    await refresh(t.http, v6.body.refresh_token).set('X-Forwarded-For', '2001:db8::7').expect(200);

    // Through OAuth: from outside, the key is no client, for either grant.
    const grant = { grant_type: 'client_credentials' };
    expect((await oauthToken('198.51.100.1', key, grant).expect(401)).body.error).toBe(
      'invalid_client',
    );
    const granted = await oauthToken('203.0.113.9', key, grant).expect(200);
    const refreshGrant = { grant_type: 'refresh_token', refresh_token: granted.body.refresh_token };
    await oauthToken('198.51.100.1', key, refreshGrant).expect(401);
    await oauthToken('203.0.113.10', key, refreshGrant).expect(200);
  });

  it('records the last use to within a minute, without a write per request', async () => {
    const recorder = t.app.get(KeyUsageRecorder);
    // Stops the periodic write (and writes what is noted), so that only this test's flush writes.
    await recorder.onApplicationShutdown();
    const { operator, key } = await keyWith({ name: 'usage' });
    const stored = async () => {
      const p = t.db.kind === 'postgres' ? '$1' : '?';
      const [row] = await t.dataSource.query(`SELECT last_used_at FROM api_keys WHERE id = ${p}`, [
        key.api_key_id,
      ]);
      return row.last_used_at === null ? null : Number(row.last_used_at);
    };
    const listed = async () => {
      const page = await t.http
        .get(`/api-users/${operator.apiUserId}/api-keys`)
        .set(bearer(admin))
        .expect(200);
      return page.body.edges[1].node.last_used_at as string | null;
    };
    expect(await listed()).toBeNull();
    const before = Date.now();
    let pair = (await exchangeFrom('198.51.100.1', key).expect(200)).body;
    for (let i = 0; i < 5; i += 1)
      pair = (await refresh(t.http, pair.refresh_token).expect(200)).body;
    const after = Date.now();

    // Six uses, no write: the time is noted in memory, and shown from there.
    expect(await stored()).toBeNull();
    const shown = Date.parse((await listed()) as string);
    expect(shown).toBeGreaterThanOrEqual(before);
    expect(shown).toBeLessThanOrEqual(after);
    // One flush writes it.
    await recorder.flush();
    expect(await stored()).toBe(shown);
    expect(await listed()).toBe(new Date(shown).toISOString());
  });

  it('rotates a key with an overlap: a new key like it, the old one expiring', async () => {
    const { operator, key } = await keyWith({
      name: 'rotating',
      scopes: ['reports:read'],
      allowed_cidrs: ['198.51.100.0/24'],
    });
    const rotateUrl = `/api-users/${operator.apiUserId}/api-keys/${key.api_key_id}/rotate`;
    const before = Date.now();
    const rotated = await t.http
      .post(rotateUrl)
      .set(bearer(operator.tokens.access_token))
      .send({ overlap_seconds: 2 })
      .expect(201);
    expect(rotated.body).toEqual({
      api_key_id: expect.any(String),
      api_key_secret: expect.any(String),
      name: 'rotating',
      scopes: ['reports:read'],
      expires_at: null,
      allowed_cidrs: ['198.51.100.0/24'],
      last_used_at: null,
      created_at: expect.any(String),
      revoked_at: null,
    });
    expect(rotated.body.api_key_id).not.toBe(key.api_key_id);
    const listed = await t.http
      .get(`/api-users/${operator.apiUserId}/api-keys`)
      .set(bearer(admin))
      .expect(200);
    const old = listed.body.edges.find(
      (e: { node: { api_key_id: string } }) => e.node.api_key_id === key.api_key_id,
    ).node;
    expect(Date.parse(old.expires_at)).toBeGreaterThanOrEqual(before + 2000);
    expect(Date.parse(old.expires_at)).toBeLessThanOrEqual(Date.now() + 2000);

    // Both work during the overlap; then only the new one.
    const oldPair = await exchangeFrom('198.51.100.1', key).expect(200);
    await exchangeFrom('198.51.100.1', rotated.body).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await exchangeFrom('198.51.100.1', key).expect(401);
    await refresh(t.http, oldPair.body.refresh_token)
      .set('X-Forwarded-For', '198.51.100.1')
      .expect(401);
    const fresh = await exchangeFrom('198.51.100.1', rotated.body).expect(200);
    expect(decodeJwt(fresh.body.access_token).payload.scope).toBe('reports:read');
  });

  it('refuses rotations of revoked keys, unknown keys and overlaps beyond 30 days', async () => {
    const { operator, key } = await keyWith({});
    const rotateUrl = `/api-users/${operator.apiUserId}/api-keys/${key.api_key_id}/rotate`;
    for (const overlap of [2_592_001, -1, 1.5, '60']) {
      const refused = await t.http
        .post(rotateUrl)
        .set(bearer(admin))
        .send({ overlap_seconds: overlap })
        .expect(400);
      expect(refused.body.error.code).toBe('validation_failed');
    }
    // The default overlap: a day.
    const rotated = await t.http.post(rotateUrl).set(bearer(admin)).expect(201);
    expect(rotated.body.api_key_id).toEqual(expect.any(String));
    await t.http
      .post(`/api-users/${operator.apiUserId}/api-keys/unknownkeyid0000000000/rotate`)
      .set(bearer(admin))
      .expect(404);
    await t.http
      .delete(`/api-users/${operator.apiUserId}/api-keys/${key.api_key_id}`)
      .set(bearer(admin))
      .expect(204);
    const revoked = await t.http.post(rotateUrl).set(bearer(admin)).expect(409);
    expect(revoked.body.error.code).toBe('conflict');
  });

  it('makes recognisable secrets with API_KEY_SECRET_PREFIX, which work as any other', async () => {
    const prefixed = await startTestApp({ env: { API_KEY_SECRET_PREFIX: 'kr_' } });
    try {
      const adminToken = (await adminTokens(prefixed.http)).access_token;
      const operator = await loggedInOperator(prefixed.http, adminToken);
      expect(operator.apiKeySecret).toMatch(/^kr_[A-Za-z0-9_-]{43}[0-9A-Za-z]{6}$/);
      expect(hasValidChecksum(operator.apiKeySecret, 'kr_')).toBe(true);
      const created = await prefixed.http
        .post(`/api-users/${operator.apiUserId}/api-keys`)
        .set(bearer(adminToken))
        .expect(201);
      expect(hasValidChecksum(created.body.api_key_secret, 'kr_')).toBe(true);
      await prefixed.http
        .post('/auth/token')
        .send({ api_key_id: created.body.api_key_id, api_key_secret: created.body.api_key_secret })
        .expect(200);
    } finally {
      await prefixed.dispose();
    }
  });
});

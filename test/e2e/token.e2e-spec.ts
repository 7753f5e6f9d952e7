import {
  ADMIN_KEY_ID,
  ADMIN_KEY_SECRET,
  startTestApp,
  TEST_ISSUER,
  type TestApp,
} from '../support/test-app';
import { adminTokens, bearer, exchange, registeredUser } from '../support/factories';
import { decodeJwt, verifiesWithJwks } from '../support/jwt';

describe('POST /auth/token', () => {
  let t: TestApp;
  let adminAccess: string;

  beforeAll(async () => {
    t = await startTestApp();
    adminAccess = (await adminTokens(t.http)).access_token;
  });
  afterAll(() => t.dispose());

  it('exchanges API key credentials for the contract token response', async () => {
    const response = await t.http
      .post('/auth/token')
      .send({ api_key_id: ADMIN_KEY_ID, api_key_secret: ADMIN_KEY_SECRET })
      .expect(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(Object.keys(response.body).sort()).toEqual([
      'access_token',
      'expires_in',
      'refresh_token',
      'session_state',
      'token_type',
    ]);
    expect(response.body.token_type).toBe('Bearer');
    expect(response.body.expires_in).toBe(300);
    // Opaque refresh token: its 6-byte issue instant and 32 random bytes, base64url, not a JWT.
    expect(response.body.refresh_token).toMatch(/^[A-Za-z0-9_-]{51}$/);
  });

  it('issues an RFC 9068 access token signed by a key published in the JWK set', async () => {
    const user = await registeredUser(t.http, adminAccess);
    const tokens = await exchange(t.http, user.apiKeyId, user.apiKeySecret);
    const { header, payload } = decodeJwt(tokens.access_token);
    expect(header).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
    expect(payload).toEqual({
      iss: TEST_ISSUER,
      sub: user.apiUserId,
      aud: TEST_ISSUER,
      client_id: user.apiKeyId,
      iat: expect.any(Number),
      exp: (payload.iat as number) + 300,
      jti: expect.any(String),
      sid: tokens.session_state,
      role: 'operator',
    });
    const jwks = await t.http.get('/.well-known/jwks.json').expect(200);
    // The active key and the next one (published before it signs anything).
    expect(jwks.body.keys).toHaveLength(2);
    const signer = jwks.body.keys.find((key: { kid: string }) => key.kid === header.kid);
    expect(signer).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: expect.any(String),
      y: expect.any(String),
      kid: header.kid,
      alg: 'ES256',
      use: 'sig',
    });
    expect(signer).not.toHaveProperty('d');
    expect(verifiesWithJwks(tokens.access_token, jwks.body.keys)).toBe(true);
  });

  it('opens a new session on every exchange', async () => {
    const first = await adminTokens(t.http);
    const second = await adminTokens(t.http);
    expect(first.session_state).not.toBe(second.session_state);
    expect(first.refresh_token).not.toBe(second.refresh_token);
  });

  describe('answers 401 invalid_credentials, identically, whatever failed', () => {
    const invalid = {
      error: { code: 'invalid_credentials', message: 'The API key credentials are not valid.' },
    };

    it('for an unknown key id', async () => {
      const response = await t.http
        .post('/auth/token')
        .send({ api_key_id: 'unknown-key-id-000000', api_key_secret: ADMIN_KEY_SECRET })
        .expect(401);
      expect(response.body).toEqual(invalid);
    });

    it('for a wrong secret', async () => {
      const response = await t.http
        .post('/auth/token')
        .send({ api_key_id: ADMIN_KEY_ID, api_key_secret: `${ADMIN_KEY_SECRET}x` })
        .expect(401);
      expect(response.body).toEqual(invalid);
    });

    it('for a revoked key', async () => {
      const user = await registeredUser(t.http, adminAccess);
      await t.http
        .delete(`/api-users/${user.apiUserId}/api-keys/${user.apiKeyId}`)
        .set(bearer(adminAccess))
        .expect(204);
      const response = await t.http
        .post('/auth/token')
        .send({ api_key_id: user.apiKeyId, api_key_secret: user.apiKeySecret })
        .expect(401);
      expect(response.body).toEqual(invalid);
    });

    it('for a suspended user, and works again once reactivated', async () => {
      const user = await registeredUser(t.http, adminAccess);
      await t.http
        .patch(`/api-users/${user.apiUserId}`)
        .set(bearer(adminAccess))
        .send({ status: 'suspended' })
        .expect(200);
      const response = await t.http
        .post('/auth/token')
        .send({ api_key_id: user.apiKeyId, api_key_secret: user.apiKeySecret })
        .expect(401);
      expect(response.body).toEqual(invalid);
      await t.http
        .patch(`/api-users/${user.apiUserId}`)
        .set(bearer(adminAccess))
        .send({ status: 'active' })
        .expect(200);
      await exchange(t.http, user.apiKeyId, user.apiKeySecret);
    });

    it('and records auth.failed in the key owner history, without the secret', async () => {
      const user = await registeredUser(t.http, adminAccess);
      await t.http
        .post('/auth/token')
        .send({ api_key_id: user.apiKeyId, api_key_secret: 'definitely-wrong' })
        .expect(401);
      const history = await t.http
        .get(`/api-users/${user.apiUserId}/history`)
        .set(bearer(adminAccess))
        .expect(200);
      const failed = history.body.edges
        .map((edge: { node: { type: string } }) => edge.node)
        .filter((node: { type: string }) => node.type === 'auth.failed');
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({
        api_user_id: user.apiUserId,
        api_key_id: user.apiKeyId,
        data: { reason: 'wrong_secret' },
      });
      expect(JSON.stringify(history.body)).not.toContain('definitely-wrong');
    });
  });

  it('answers 400 validation_failed with one detail per offending field', async () => {
    const response = await t.http.post('/auth/token').send({ api_key_id: 42 }).expect(400);
    expect(response.body.error.code).toBe('validation_failed');
    const targets = response.body.error.details.map((detail: { target: string }) => detail.target);
    expect(new Set(targets)).toEqual(new Set(['api_key_id', 'api_key_secret']));
  });
});

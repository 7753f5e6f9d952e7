import { ADMIN_KEY_ID, ADMIN_KEY_SECRET, startTestApp, type TestApp } from '../support/test-app';
import { adminTokens, refresh, registeredUser } from '../support/factories';

describe('Rate limits on the token endpoints', () => {
  describe('per client IP', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '5' } });
    });
    afterAll(() => t.dispose());

    it('answers 429 rate_limited with Retry-After past the limit, across token endpoints', async () => {
      const tokens = await adminTokens(t.http);
      await refresh(t.http, tokens.refresh_token).expect(200);
      for (let i = 0; i < 3; i += 1) await refresh(t.http, 'A'.repeat(43)).expect(401);
      const limited = await t.http
        .post('/auth/token')
        .send({ api_key_id: ADMIN_KEY_ID, api_key_secret: ADMIN_KEY_SECRET })
        .expect(429);
      expect(limited.body).toEqual({
        error: { code: 'rate_limited', message: expect.any(String) },
      });
      const retryAfter = Number(limited.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      await refresh(t.http, 'A'.repeat(43)).expect(429);
      // Other routes are not limited.
      await t.http.get('/health').expect(200);
    });
  });

  describe('failed secrets per API key and client address', () => {
    let t: TestApp;
    let admin: string;

    beforeAll(async () => {
      // Loopback is the trusted proxy, so X-Forwarded-For names each test client.
      t = await startTestApp({ env: { TRUST_PROXY: '127.0.0.1' } });
      admin = (await adminTokens(t.http)).access_token;
    });
    afterAll(() => t.dispose());

    const token = (from: string, apiKeyId: string, secret: string) =>
      t.http
        .post('/auth/token')
        .set('x-forwarded-for', from)
        .send({ api_key_id: apiKeyId, api_key_secret: secret });
    const oauthToken = (from: string, apiKeyId: string, secret: string) =>
      t.http
        .post('/oauth/token')
        .set('x-forwarded-for', from)
        .type('form')
        .send({ grant_type: 'client_credentials', client_id: apiKeyId, client_secret: secret });

    it('refuses the key from that address after 10 failures, but not from another address', async () => {
      const user = await registeredUser(t.http, admin);
      for (let i = 0; i < 10; i += 1)
        await token('203.0.113.10', user.apiKeyId, `wrong-${i}`).expect(401);
      const locked = await token('203.0.113.10', user.apiKeyId, user.apiKeySecret).expect(429);
      expect(locked.body.error.code).toBe('rate_limited');
      const retryAfter = Number(locked.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      // The rightful owner, elsewhere, is not locked out; through OAuth neither.
      await token('198.51.100.20', user.apiKeyId, user.apiKeySecret).expect(200);
      await oauthToken('198.51.100.20', user.apiKeyId, user.apiKeySecret).expect(200);
      // From the locked address, OAuth client authentication is refused too.
      const viaOAuth = await oauthToken('203.0.113.10', user.apiKeyId, user.apiKeySecret);
      expect(viaOAuth.status).toBe(429);
    });

    it('counts wrong OAuth client secrets towards the same lockout', async () => {
      const user = await registeredUser(t.http, admin);
      for (let i = 0; i < 10; i += 1)
        await oauthToken('203.0.113.11', user.apiKeyId, `wrong-${i}`).expect(401);
      await token('203.0.113.11', user.apiKeyId, user.apiKeySecret).expect(429);
      await token('203.0.113.12', user.apiKeyId, user.apiKeySecret).expect(200);
    });
  });

  describe('failed attempts from the socket address', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp();
    });
    afterAll(() => t.dispose());

    it('locks the key id out for the minute after 10 failures, even with the right secret', async () => {
      for (let i = 0; i < 10; i += 1) {
        await t.http
          .post('/auth/token')
          .send({ api_key_id: ADMIN_KEY_ID, api_key_secret: `wrong-${i}` })
          .expect(401);
      }
      const locked = await t.http
        .post('/auth/token')
        .send({ api_key_id: ADMIN_KEY_ID, api_key_secret: ADMIN_KEY_SECRET })
        .expect(429);
      expect(locked.body.error.code).toBe('rate_limited');
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
      // Another key id is not affected.
      await t.http
        .post('/auth/token')
        .send({ api_key_id: 'some-other-key-id-0001', api_key_secret: 'x' })
        .expect(401);
    });
  });

  describe('seed 004 client secrets', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '5' } });
    });
    afterAll(() => t.dispose());

    it('counts wrong x-client-secret values towards the per-address limit', async () => {
      const wrongClientSecret = () =>
        t.http
          .post('/api/v2/wallet/refresh')
          .set('x-client-secret', 'not-a-client-secret')
          .send({ refreshToken: 'A'.repeat(43) });
      for (let i = 0; i < 5; i += 1) await wrongClientSecret().expect(401);
      const limited = await wrongClientSecret().expect(429);
      expect(limited.body).toEqual({ status: 429, message: 'Too many requests' });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // The same address's budget is spent on the other token endpoints too.
      await refresh(t.http, 'A'.repeat(43)).expect(429);
    });
  });

  describe('turned off', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '0' } });
    });
    afterAll(() => t.dispose());

    it('never answers 429 with RATE_LIMIT_PER_MINUTE=0', async () => {
      const statuses = await Promise.all(
        Array.from({ length: 40 }, () => refresh(t.http, 'A'.repeat(43)).then((r) => r.status)),
      );
      expect(new Set(statuses)).toEqual(new Set([401]));
    });
  });
});

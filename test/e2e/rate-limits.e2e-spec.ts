import { ADMIN_KEY_ID, ADMIN_KEY_SECRET, startTestApp, type TestApp } from '../support/test-app';
import { adminTokens, refresh } from '../support/factories';

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

  describe('failed attempts per API key id', () => {
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

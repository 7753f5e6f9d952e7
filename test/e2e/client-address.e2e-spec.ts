import { ADMIN_KEY_ID, ADMIN_KEY_SECRET, startTestApp, type TestApp } from '../support/test-app';

// TRUST_PROXY decides whether X-Forwarded-For names the client. supertest connects from the
// loopback address, so a test plays a proxy on 127.0.0.1 by sending the header.

const wrongSecret = (t: TestApp, forwardedFor: string) =>
  t.http
    .post('/auth/token')
    .set('x-forwarded-for', forwardedFor)
    .send({ api_key_id: ADMIN_KEY_ID, api_key_secret: 'not-the-secret' });

async function failedEventIps(t: TestApp): Promise<string[]> {
  const rows: { ip: string }[] = await t.dataSource.query(
    `SELECT ip FROM audit_events WHERE type = 'auth.failed' ORDER BY id`,
  );
  return rows.map((row) => row.ip);
}

async function sessionIp(t: TestApp, sessionId: string): Promise<string> {
  const rows: { ip: string }[] = await t.dataSource.query(
    `SELECT ip FROM sessions WHERE id = '${sessionId}'`,
  );
  return rows[0].ip;
}

describe('Client address (TRUST_PROXY)', () => {
  describe('unset: the socket address, X-Forwarded-For ignored', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '3' } });
    });
    afterAll(() => t.dispose());

    it('counts every forwarded address against the socket address, and audits that address', async () => {
      await wrongSecret(t, '203.0.113.1').expect(401);
      await wrongSecret(t, '203.0.113.2').expect(401);
      await wrongSecret(t, '203.0.113.3').expect(401);
      const limited = await wrongSecret(t, '203.0.113.4').expect(429);
      expect(limited.body.error.code).toBe('rate_limited');
      expect(await failedEventIps(t)).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1']);
    });
  });

  describe.each([
    ['an address', '127.0.0.1'],
    ['the loopback CIDR', '127.0.0.0/8, ::1/128'],
  ])('a trusted proxy given as %s', (_label, trustProxy) => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: trustProxy } });
    });
    afterAll(() => t.dispose());

    it('uses the forwarded address for rate limits, audit events and sessions', async () => {
      for (let i = 0; i < 3; i += 1) await wrongSecret(t, '203.0.113.1').expect(401);
      await wrongSecret(t, '203.0.113.1').expect(429);
      // Another client behind the same proxy has its own budget.
      const opened = await t.http
        .post('/auth/token')
        .set('x-forwarded-for', '198.51.100.7')
        .send({ api_key_id: ADMIN_KEY_ID, api_key_secret: ADMIN_KEY_SECRET })
        .expect(200);
      expect(await failedEventIps(t)).toEqual(['203.0.113.1', '203.0.113.1', '203.0.113.1']);
      expect(await sessionIp(t, opened.body.session_state)).toBe('198.51.100.7');
    });
  });

  describe('a hop count', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ env: { TRUST_PROXY: '1' } });
    });
    afterAll(() => t.dispose());

    it('believes the nearest hop only: a client cannot prepend an address of its choosing', async () => {
      await wrongSecret(t, '192.0.2.66, 203.0.113.9').expect(401);
      expect(await failedEventIps(t)).toEqual(['203.0.113.9']);
    });
  });
});

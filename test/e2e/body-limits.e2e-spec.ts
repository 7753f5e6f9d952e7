import type { LoggerService } from '@nestjs/common';
import { startTestApp, type TestApp } from '../support/test-app';
import { adminTokens, bearer } from '../support/factories';

describe('Bodies: deeply nested JSON and over-long numbers', () => {
  /** `{"a":{"a":…}}` with `levels` levels of objects (and an array at the bottom). */
  const nested = (levels: number): string =>
    '{"a":'.repeat(levels - 1) + '[]' + '}'.repeat(levels - 1);
  const errors: string[] = [];
  // Every level: Nest installs this logger process-wide, and a missing method would throw.
  const logger: LoggerService = {
    log: () => undefined,
    warn: () => undefined,
    debug: () => undefined,
    verbose: () => undefined,
    error: (message: unknown) => void errors.push(String(message)),
  };
  let logged: TestApp;
  let adminToken: string;

  beforeAll(async () => {
    logged = await startTestApp({ logger });
    adminToken = (await adminTokens(logged.http)).access_token;
  });
  afterAll(() => logged.dispose());

  // Every route that takes a JSON body, with what it needs to reach its body.
  const jsonRoutes: Array<['post' | 'patch', string, boolean]> = [
    ['post', '/auth/token', false],
    ['post', '/auth/token/refresh', false],
    ['post', '/api-users', true],
    ['post', '/api-users/register', false],
    ['patch', '/api-users/019a8f2e-5c1d-7a3b-9c4d-2e8f6a1b3c5d', true],
    ['post', '/clients', true],
    ['post', '/api/v1/authenticate/refresh', false],
    ['post', '/api/login/refresh-token', false],
    ['post', '/api/v2/wallet/refresh', false],
  ];

  it.each(jsonRoutes)(
    "%s %s: 3000 levels are 400 in the route's error shape, with no ERROR log",
    async (method, path, asAdmin) => {
      const call = (body: string) => {
        const req = logged.http[method](path)
          .set('Content-Type', 'application/json')
          .set('x-client-secret', 'not-a-client-secret');
        if (asAdmin) void req.set(bearer(adminToken));
        return req.send(body);
      };
      const deep = await call(nested(3000));
      expect(deep.status).toBe(400);
      expect(JSON.stringify(deep.body)).not.toMatch(/RangeError|stack/i);
      if (deep.body.error) expect(deep.body.error.code).toBe('validation_failed');
      // 33 levels are refused too; 32 reach the route's own validation.
      const over = await call(nested(33));
      expect(over.status).toBe(400);
      const within = await call(nested(32));
      // Seed 004 checks its client secret first (401); the others' own validation says 400.
      expect(within.status).toBe(path === '/api/v2/wallet/refresh' ? 401 : 400);
      if (deep.body.error) {
        // The core shape says why; 32 levels reach the route's own validation instead.
        expect(over.body.error.message).toMatch(/nested deeper than 32/);
        expect(within.body.error.message).not.toMatch(/nested deeper than 32/);
      }
      expect(errors).toEqual([]);
    },
  );

  it('answers page above 1,000,000, and over-long numbers, with 400 validation_failed', async () => {
    for (const page of ['1000001', '100000000000000000000', '9'.repeat(400), '1e21']) {
      for (const path of ['/api-users', '/sessions', '/clients']) {
        const response = await logged.http
          .get(`${path}?page=${page}`)
          .set(bearer(adminToken))
          .expect(400);
        expect(response.body.error).toMatchObject({ code: 'validation_failed', target: 'page' });
      }
    }
    const last = await logged.http
      .get('/api-users?page=1000000')
      .set(bearer(adminToken))
      .expect(200);
    expect(last.body.edges).toEqual([]);
    expect(errors).toEqual([]);
  });
});

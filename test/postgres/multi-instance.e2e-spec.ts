import { startTestApp, type TestApp } from '../support/test-app';
import {
  adminTokens,
  bearer,
  loggedInOperator,
  refresh,
  type TokenPair,
} from '../support/factories';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const code = (response: { body: { error?: { code?: string } } }) => response.body.error?.code;

/** Polls until `check` is true; returns the elapsed milliseconds, or Infinity after `limitMs`. */
async function msUntil(check: () => Promise<boolean>, limitMs = 3000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < limitMs) {
    if (await check()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Infinity;
}

async function twoInstances(
  env: Record<string, string> = {},
): Promise<{ db: TestDatabase; a: TestApp; b: TestApp }> {
  const db = await createTestDatabase('postgres');
  const [a, b] = await Promise.all([startTestApp({ db, env }), startTestApp({ db, env })]);
  return { db, a, b };
}

describe('Two server instances on one PostgreSQL database', () => {
  describe('strict mode', () => {
    let a: TestApp;
    let b: TestApp;
    let db: TestDatabase;
    let admin: string;

    beforeAll(async () => {
      ({ db, a, b } = await twoInstances());
      admin = (await adminTokens(a.http)).access_token;
    });
    afterAll(async () => {
      await Promise.all([a.close(), b.close()]);
      await db.drop();
    });

    it('races of one refresh token across both instances never have two winners', async () => {
      for (let round = 0; round < 5; round += 1) {
        const { tokens } = await loggedInOperator(a.http, admin);
        const responses = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            refresh(i % 2 === 0 ? a.http : b.http, tokens.refresh_token),
          ),
        );
        expect(responses.filter((response) => response.status === 200)).toHaveLength(1);
        expect(responses.filter((response) => response.status === 401)).toHaveLength(19);
        const successors: unknown[] = await a.dataSource.query(
          `SELECT token_hash FROM refresh_tokens WHERE session_id = '${tokens.session_state}' AND generation = 1`,
        );
        expect(successors).toHaveLength(1);
      }
    });

    it('a revocation on one instance is enforced by the other within 1 s', async () => {
      const { tokens } = await loggedInOperator(a.http, admin);
      // B has seen the session live (and may have cached that).
      await b.http.get('/api-users/me').set(bearer(tokens.access_token)).expect(200);
      await a.http.delete(`/sessions/${tokens.session_state}`).set(bearer(admin)).expect(204);
      const elapsed = await msUntil(
        async () =>
          (await b.http.get('/api-users/me').set(bearer(tokens.access_token))).status === 401,
      );
      expect(elapsed).toBeLessThan(1000);
      expect(code(await refresh(b.http, tokens.refresh_token))).toBe('session_revoked');
    });

    it('reuse detected on one instance revokes access tokens on the other within 1 s', async () => {
      const { tokens } = await loggedInOperator(a.http, admin);
      const second = (await refresh(b.http, tokens.refresh_token).expect(200)).body as TokenPair;
      await b.http.get('/api-users/me').set(bearer(second.access_token)).expect(200);
      expect(code(await refresh(a.http, tokens.refresh_token).expect(401))).toBe(
        'refresh_token_reused',
      );
      const elapsed = await msUntil(
        async () =>
          (await b.http.get('/api-users/me').set(bearer(second.access_token))).status === 401,
      );
      expect(elapsed).toBeLessThan(1000);
    });
  });

  describe('with a grace window', () => {
    let a: TestApp;
    let b: TestApp;
    let db: TestDatabase;

    beforeAll(async () => {
      ({ db, a, b } = await twoInstances({ REFRESH_REUSE_GRACE_SECONDS: '30' }));
    });
    afterAll(async () => {
      await Promise.all([a.close(), b.close()]);
      await db.drop();
    });

    it('parallel exchanges across both instances all answer the same successor', async () => {
      const admin = (await adminTokens(a.http)).access_token;
      const { tokens } = await loggedInOperator(b.http, admin);
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          refresh(i % 2 === 0 ? a.http : b.http, tokens.refresh_token),
        ),
      );
      expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
      expect(new Set(responses.map((response) => response.body.refresh_token)).size).toBe(1);
      await refresh(a.http, responses[0].body.refresh_token).expect(200);
    });
  });
});

import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { ADMIN_KEY_ID, ADMIN_KEY_SECRET, startTestApp, type TestApp } from '../support/test-app';
import { TEST_KEY_ENCRYPTION_SECRET } from '../support/test-database';
import {
  type PostgresUnderFaults,
  startPostgresUnderFaults,
} from '../support/postgres-under-faults';

/** DATABASE_TIMEOUT_MS here: short, so that a frozen database costs the test little. */
const TIMEOUT_MS = 2000;
/** Clients refreshing at once, each on a session of its own. */
const CLIENTS = 16;

interface Answer {
  status: number;
  ms: number;
  retryAfter: string | null;
  code: string | undefined;
  /** When it was answered, relative to the fault's start (ms). */
  at: number;
}

/**
 * Real faults on a real PostgreSQL of this file's own: stopped (a fast shutdown, then started
 * again on the same data), and frozen (every one of its processes stopped with SIGSTOP, as a
 * hung host or a storage stall would), while clients keep refreshing.
 */
describe('PostgreSQL unavailable under refresh load (DATABASE_TIMEOUT_MS)', () => {
  let postgres: PostgresUnderFaults;
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    postgres = await startPostgresUnderFaults();
    t = await startTestApp({
      db: {
        kind: 'postgres',
        env: { DATABASE_URL: postgres.url, KEY_ENCRYPTION_SECRET: TEST_KEY_ENCRYPTION_SECRET },
        drop: () => Promise.resolve(),
      },
      // Grace 0: a retry of a consumed token is reuse, and would revoke the session.
      env: {
        DATABASE_TIMEOUT_MS: String(TIMEOUT_MS),
        RATE_LIMIT_PER_MINUTE: '0',
        REFRESH_REUSE_GRACE_SECONDS: '0',
      },
    });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await postgres?.dispose();
  }, 60_000);

  async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
    const started = performance.now();
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      ms: performance.now() - started,
      headers: response.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  }

  async function openSession(): Promise<{ refreshToken: string; sessionId: string }> {
    const { status, body } = await post('/auth/token', {
      api_key_id: ADMIN_KEY_ID,
      api_key_secret: ADMIN_KEY_SECRET,
    });
    expect(status).toBe(200);
    return { refreshToken: body.refresh_token as string, sessionId: body.session_state as string };
  }

  /**
   * CLIENTS clients refresh in a loop, each presenting its current token again after an error
   * (as a client does), until `fault` has run and each has had a 200 since. Every answer is
   * recorded.
   */
  async function refreshThrough(fault: () => Promise<void>) {
    const sessions = await Promise.all(Array.from({ length: CLIENTS }, openSession));
    const answers: Answer[] = [];
    let faultStartedAt = Infinity;
    let faultEnded = false;
    const client = async (session: { refreshToken: string }) => {
      let okSinceRecovery = false;
      while (!okSinceRecovery) {
        const { status, ms, headers, body } = await post('/auth/token/refresh', {
          refresh_token: session.refreshToken,
        });
        const error = body.error as { code?: string } | undefined;
        answers.push({
          status,
          ms,
          retryAfter: headers.get('retry-after'),
          code: error?.code,
          at: performance.now() - faultStartedAt,
        });
        if (status === 200) {
          session.refreshToken = body.refresh_token as string;
          okSinceRecovery = faultEnded;
        } else if (status !== 503) {
          return; // Recorded: the assertions below fail on it.
        } else {
          await sleep(100);
        }
      }
    };
    const load = Promise.all(sessions.map(client));
    await sleep(1000);
    faultStartedAt = performance.now();
    await fault();
    faultEnded = true;
    await load;
    return { sessions, answers };
  }

  function expectOnly200And503(answers: Answer[]) {
    const unexpected = answers.filter((a) => a.status !== 200 && a.status !== 503);
    expect(unexpected).toEqual([]);
    const unavailable = answers.filter((a) => a.status === 503);
    // The fault was seen, and each 503 says so in the contract's way.
    expect(unavailable.length).toBeGreaterThan(0);
    for (const answer of unavailable) {
      expect(answer.code).toBe('service_unavailable');
      expect(answer.retryAfter).toMatch(/^\d+$/);
    }
    // No request waited past the deadline plus a second.
    const slowest = Math.max(...answers.map((a) => a.ms));
    expect(slowest).toBeLessThanOrEqual(TIMEOUT_MS + 1000);
    return { slowest, unavailable: unavailable.length, total: answers.length };
  }

  async function revokedAmong(sessionIds: string[]): Promise<unknown[]> {
    const db = new Client({ connectionString: postgres.url });
    await db.connect();
    try {
      const { rows } = await db.query(
        'SELECT id, revoked_reason FROM sessions WHERE id = ANY($1) AND revoked_at IS NOT NULL',
        [sessionIds],
      );
      return rows;
    } finally {
      await db.end();
    }
  }

  it("answers each wire format's unavailable mapping while stopped, and serves again once started", async () => {
    const admin = await post('/auth/token', {
      api_key_id: ADMIN_KEY_ID,
      api_key_secret: ADMIN_KEY_SECRET,
    });
    const adminAuth = { authorization: `Bearer ${admin.body.access_token as string}` };
    const client = await post('/clients', { name: 'outage-client' }, adminAuth);
    expect(client.status).toBe(201);
    const clientSecret = client.body.client_secret as string;
    const refreshToken = (await openSession()).refreshToken;
    const basic = `Basic ${Buffer.from(`${ADMIN_KEY_ID}:${ADMIN_KEY_SECRET}`).toString('base64')}`;

    await postgres.stop();
    try {
      const core = await post('/auth/token/refresh', { refresh_token: refreshToken });
      expect([core.status, core.body]).toEqual([
        503,
        { error: { code: 'service_unavailable', message: expect.any(String) } },
      ]);
      expect(core.headers.get('retry-after')).toMatch(/^\d+$/);

      const exchange = await post('/auth/token', {
        api_key_id: ADMIN_KEY_ID,
        api_key_secret: ADMIN_KEY_SECRET,
      });
      expect(exchange.status).toBe(503);

      const oauth = await fetch(`${base}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
      });
      expect(oauth.status).toBe(503);
      expect(oauth.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await oauth.json()).toEqual({
        error: 'temporarily_unavailable',
        error_description: expect.any(String),
      });

      const seed002 = await post('/api/v1/authenticate/refresh', { refreshToken });
      expect([seed002.status, seed002.body.error]).toEqual([
        500,
        expect.objectContaining({ code: 'service_unavailable' }),
      ]);
      const seed003 = await post('/api/login/refresh-token', { refreshToken });
      expect([seed003.status, seed003.body]).toEqual([
        500,
        { code: '500', response: 'Service Unavailable' },
      ]);
      const seed004 = await post(
        '/api/v2/wallet/refresh',
        { refreshToken },
        { 'x-client-secret': clientSecret },
      );
      expect([seed004.status, seed004.body]).toEqual([
        503,
        { status: 503, message: 'Service unavailable' },
      ]);

      // An admin route past its bearer check (the token is verified without the database).
      const listed = await fetch(`${base}/api-users`, { headers: adminAuth });
      expect(listed.status).toBe(503);
    } finally {
      await postgres.start();
    }
    // Back without a restart: the token no request consumed refreshes.
    let after = await post('/auth/token/refresh', { refresh_token: refreshToken });
    for (let i = 0; i < 50 && after.status === 503; i += 1) {
      await sleep(100);
      after = await post('/auth/token/refresh', { refresh_token: refreshToken });
    }
    expect(after.status).toBe(200);
  }, 60_000);

  it('stopped for 10 s: 503 with Retry-After, never 500, and every errored token refreshes afterwards', async () => {
    const { sessions, answers } = await refreshThrough(async () => {
      await postgres.stop();
      await sleep(10_000);
      await postgres.start();
    });
    const figures = expectOnly200And503(answers);
    expect(await revokedAmong(sessions.map((s) => s.sessionId))).toEqual([]);
    console.log(`stopped 10 s: ${JSON.stringify(figures)}`);
  }, 90_000);

  it('frozen (SIGSTOP) for 30 s with grace 0: the same, and no retry revokes a session', async () => {
    const { sessions, answers } = await refreshThrough(async () => {
      await postgres.freeze();
      try {
        await sleep(30_000);
      } finally {
        await postgres.thaw();
      }
    });
    const figures = expectOnly200And503(answers);
    expect(await revokedAmong(sessions.map((s) => s.sessionId))).toEqual([]);
    console.log(`frozen 30 s: ${JSON.stringify(figures)}`);
  }, 120_000);
});

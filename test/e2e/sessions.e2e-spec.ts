import { startTestApp, type TestApp } from '../support/test-app';
import { countingTurns } from '../support/event-loop-turns';
import { adminTokens, bearer, exchange, loggedInOperator, refresh } from '../support/factories';
import { refreshTokenKey } from '../support/db-clock';
import { RefreshTokensRepository } from '../../libs/auth/src/sessions/refresh-tokens.repository';
import { SessionCleanupService } from '../../libs/auth/src/sessions/session-cleanup.service';
import { SessionsRepository } from '../../libs/auth/src/sessions/sessions.repository';
import { VerifiedTokenCache } from '../../libs/auth/src/token/verified-token.cache';

const code = (response: { body: { error?: { code?: string } } }) => response.body.error?.code;

describe('Sessions', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = (await adminTokens(t.http)).access_token;
  });
  afterAll(() => t.dispose());

  describe('GET /sessions', () => {
    it("lists the caller's active sessions, newest first", async () => {
      const operator = await loggedInOperator(t.http, admin);
      const second = await exchange(t.http, operator.apiKeyId, operator.apiKeySecret);
      const listed = await t.http
        .get('/sessions')
        .set(bearer(operator.tokens.access_token))
        .expect(200);
      expect(listed.body.page_info.count).toBe(2);
      expect(listed.body.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual([
        second.session_state,
        operator.tokens.session_state,
      ]);
      expect(listed.body.edges[0].node).toEqual({
        id: second.session_state,
        api_user_id: operator.apiUserId,
        api_key_id: operator.apiKeyId,
        created_at: expect.any(String),
        expires_at: expect.any(String),
        ip: expect.any(String),
      });
      // A revoked session is no longer listed.
      await t.http
        .delete(`/sessions/${second.session_state}`)
        .set(bearer(operator.tokens.access_token))
        .expect(204);
      const after = await t.http
        .get('/sessions')
        .set(bearer(operator.tokens.access_token))
        .expect(200);
      expect(after.body.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual([
        operator.tokens.session_state,
      ]);
    });

    it("lets an admin list another user's sessions, and nobody else", async () => {
      const operator = await loggedInOperator(t.http, admin);
      const other = await loggedInOperator(t.http, admin);
      const asAdmin = await t.http
        .get(`/sessions?api_user_id=${operator.apiUserId}`)
        .set(bearer(admin))
        .expect(200);
      expect(asAdmin.body.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual([
        operator.tokens.session_state,
      ]);
      await t.http
        .get(`/sessions?api_user_id=${operator.apiUserId}`)
        .set(bearer(operator.tokens.access_token))
        .expect(200);
      const forbidden = await t.http
        .get(`/sessions?api_user_id=${operator.apiUserId}`)
        .set(bearer(other.tokens.access_token))
        .expect(403);
      expect(code(forbidden)).toBe('forbidden');
      await t.http.get('/sessions?api_user_id=not-a-uuid').set(bearer(admin)).expect(400);
      await t.http.get('/sessions?page_size=0').set(bearer(admin)).expect(400);
      await t.http.get('/sessions').expect(401);
    });
  });

  describe('DELETE /sessions/{id}', () => {
    it('revokes the session: its refresh and access tokens stop working; revoking again is 204', async () => {
      const operator = await loggedInOperator(t.http, admin);
      await t.http
        .delete(`/sessions/${operator.tokens.session_state}`)
        .set(bearer(admin))
        .expect(204);
      await t.http.get('/api-users/me').set(bearer(operator.tokens.access_token)).expect(401);
      expect(code(await refresh(t.http, operator.tokens.refresh_token).expect(401))).toBe(
        'session_revoked',
      );
      await t.http
        .delete(`/sessions/${operator.tokens.session_state}`)
        .set(bearer(admin))
        .expect(204);
      const history = await t.http
        .get(`/api-users/${operator.apiUserId}/history`)
        .set(bearer(admin))
        .expect(200);
      const revoked = history.body.edges.filter(
        (edge: { node: { type: string } }) => edge.node.type === 'session.revoked',
      );
      expect(revoked).toHaveLength(1);
      expect(revoked[0].node).toMatchObject({
        session_id: operator.tokens.session_state,
        data: { reason: 'revoked' },
      });
    });

    it("answers another user's session exactly like an unknown one: 404, and revokes nothing", async () => {
      const operator = await loggedInOperator(t.http, admin);
      const other = await loggedInOperator(t.http, admin);
      const hidden = await t.http
        .delete(`/sessions/${other.tokens.session_state}`)
        .set(bearer(operator.tokens.access_token))
        .expect(404);
      const unknown = await t.http
        .delete('/sessions/00000000-0000-7000-8000-000000000000')
        .set(bearer(operator.tokens.access_token))
        .expect(404);
      // Same body: nothing tells an existing session of someone else from no session at all.
      expect(hidden.body).toEqual(unknown.body);
      expect(code(hidden)).toBe('not_found');
      await refresh(t.http, other.tokens.refresh_token).expect(200);
      await t.http
        .delete('/sessions/00000000-0000-7000-8000-000000000000')
        .set(bearer(admin))
        .expect(404);
      await t.http.delete('/sessions/nope').set(bearer(admin)).expect(404);
      await t.http.delete(`/sessions/${other.tokens.session_state}`).expect(401);
    });
  });

  describe('POST /auth/logout', () => {
    it("revokes the caller's session and only that one", async () => {
      const operator = await loggedInOperator(t.http, admin);
      const other = await exchange(t.http, operator.apiKeyId, operator.apiKeySecret);
      await t.http.post('/auth/logout').set(bearer(operator.tokens.access_token)).expect(204);
      await t.http.get('/api-users/me').set(bearer(operator.tokens.access_token)).expect(401);
      expect(code(await refresh(t.http, operator.tokens.refresh_token).expect(401))).toBe(
        'session_revoked',
      );
      await t.http.get('/api-users/me').set(bearer(other.access_token)).expect(200);
      await refresh(t.http, other.refresh_token).expect(200);
    });

    it("drops the session's verified access tokens from the bearer cache at once", async () => {
      const cache = t.app.get(VerifiedTokenCache, { strict: false });
      const operator = await loggedInOperator(t.http, admin);
      const token = operator.tokens.access_token;
      await t.http.get('/api-users/me').set(bearer(token)).expect(200);
      expect(cache.get(token)?.sessionId).toBe(operator.tokens.session_state);
      await t.http.post('/auth/logout').set(bearer(token)).expect(204);
      // Gone without waiting for the token to be presented again.
      expect(cache.get(token)).toBeUndefined();
    });

    it('answers 401 without a valid token', async () => {
      const response = await t.http.post('/auth/logout').expect(401);
      expect(code(response)).toBe('unauthorized');
    });
  });

  describe('liveness', () => {
    /** Whether `token` is refused within `limitMs` (the liveness answer is trusted 500 ms). */
    async function refusedWithin(token: string, limitMs: number): Promise<boolean> {
      const started = Date.now();
      while (Date.now() - started < limitMs) {
        if ((await t.http.get('/api-users/me').set(bearer(token))).status === 401) return true;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return false;
    }

    it("refuses a session's access tokens once its key or user ends behind this instance's back", async () => {
      // Written straight to the database, as another instance (or an operator) would: this
      // instance revokes nothing itself, so only its liveness read can notice.
      const keyRevoked = await loggedInOperator(t.http, admin);
      const userSuspended = await loggedInOperator(t.http, admin);
      for (const { tokens } of [keyRevoked, userSuspended])
        await t.http.get('/api-users/me').set(bearer(tokens.access_token)).expect(200);

      await t.dataSource.query(
        `UPDATE api_keys SET revoked_at = 1 WHERE id = '${keyRevoked.apiKeyId}'`,
      );
      await t.dataSource.query(
        `UPDATE api_users SET status = 'suspended' WHERE id = '${userSuspended.apiUserId}'`,
      );
      expect(await refusedWithin(keyRevoked.tokens.access_token, 2000)).toBe(true);
      expect(await refusedWithin(userSuspended.tokens.access_token, 2000)).toBe(true);
    });
  });

  describe('clean-up', () => {
    it('removes sessions that can no longer matter and keeps the consumed hashes of live ones', async () => {
      const live = await loggedInOperator(t.http, admin);
      const liveSecond = (await refresh(t.http, live.tokens.refresh_token).expect(200)).body;
      const expired = await loggedInOperator(t.http, admin);
      const idle = await loggedInOperator(t.http, admin);
      const revokedLongAgo = await loggedInOperator(t.http, admin);
      const now = Date.now();
      await t.dataSource.query(
        `UPDATE sessions SET expires_at = ${now - 1} WHERE id = '${expired.tokens.session_state}'`,
      );
      await t.dataSource.query(
        `UPDATE refresh_tokens SET expires_at = ${now - 1} WHERE session_id = '${idle.tokens.session_state}'`,
      );
      await t.http
        .delete(`/sessions/${revokedLongAgo.tokens.session_state}`)
        .set(bearer(admin))
        .expect(204);
      await t.dataSource.query(
        `UPDATE sessions SET revoked_at = ${now - 8 * 86_400_000} WHERE id = '${revokedLongAgo.tokens.session_state}'`,
      );

      const report = await t.app.get(SessionCleanupService).run(now);
      expect(report.sessionsDeleted).toBeGreaterThanOrEqual(3);

      const remaining: Array<{ id: string }> = await t.dataSource.query('SELECT id FROM sessions');
      const ids = remaining.map((row) => row.id);
      expect(ids).toContain(live.tokens.session_state);
      expect(ids).not.toContain(expired.tokens.session_state);
      expect(ids).not.toContain(idle.tokens.session_state);
      expect(ids).not.toContain(revokedLongAgo.tokens.session_state);
      // Their tokens went with them: no foreign key cascades, the clean-up deletes them itself.
      const deleted = [expired, idle, revokedLongAgo].map((s) => `'${s.tokens.session_state}'`);
      const orphans: unknown[] = await t.dataSource.query(
        `SELECT token_hash FROM refresh_tokens WHERE session_id IN (${deleted.join(', ')})`,
      );
      expect(orphans).toEqual([]);
      // The consumed first token of the live session is kept: replaying it is still reuse.
      const kept: unknown[] = await t.dataSource.query(
        `SELECT token_hash FROM refresh_tokens WHERE token_hash = '${refreshTokenKey(live.tokens.refresh_token)}'`,
      );
      expect(kept).toHaveLength(1);
      expect(code(await refresh(t.http, live.tokens.refresh_token).expect(401))).toBe(
        'refresh_token_reused',
      );
      expect(code(await refresh(t.http, liveSecond.refresh_token).expect(401))).toBe(
        'session_revoked',
      );
      // A deleted session's tokens are simply unknown now.
      expect(code(await refresh(t.http, idle.tokens.refresh_token).expect(401))).toBe(
        'invalid_refresh_token',
      );
    });

    it('works in bounded steps, with turns of the event loop between them', async () => {
      const cleanup = t.app.get(SessionCleanupService);
      const sizes = { ...cleanup.stepSizes };
      Object.assign(cleanup.stepSizes, { sessions: 2, tokenDeletes: 3, tokenScan: 4 });
      const steps = jest.spyOn(t.app.get(SessionsRepository), 'disposableAfter');
      const deletes = jest.spyOn(t.app.get(RefreshTokensRepository), 'deleteSomeOfSessions');
      const scans = jest.spyOn(t.app.get(RefreshTokensRepository), 'forgetSealedSuccessorsAfter');
      try {
        // A long chain: seven token rows in one session, which then expires.
        const longChain = await loggedInOperator(t.http, admin);
        let token = longChain.tokens.refresh_token;
        for (let i = 0; i < 6; i += 1)
          token = (await refresh(t.http, token).expect(200)).body.refresh_token;
        const live = await loggedInOperator(t.http, admin);
        const liveSecond = (await refresh(t.http, live.tokens.refresh_token).expect(200)).body;
        const now = Date.now();
        await t.dataSource.query(
          `UPDATE sessions SET expires_at = ${now - 1} WHERE id = '${longChain.tokens.session_state}'`,
        );
        // A sealed successor whose grace window has closed, as grace mode leaves one behind.
        const firstKey = refreshTokenKey(live.tokens.refresh_token);
        await t.dataSource.query(
          `UPDATE refresh_tokens SET successor_sealed = 'sealed', consumed_at = ${now - 60_000} WHERE token_hash = '${firstKey}'`,
        );
        const [{ sessions, tokens }]: Array<{ sessions: string; tokens: string }> =
          await t.dataSource.query(
            'SELECT (SELECT COUNT(*) FROM sessions) AS sessions, (SELECT COUNT(*) FROM refresh_tokens) AS tokens',
          );

        const { result: report, turns } = await countingTurns(() => cleanup.run(now));

        expect(report.sessionsDeleted).toBeGreaterThanOrEqual(1);
        expect(report.refreshTokensDeleted).toBeGreaterThanOrEqual(7);
        expect(report.sealedSuccessorsErased).toBeGreaterThanOrEqual(1);
        // Every step is bounded: the walks go a few rows at a time, and the chain's seven
        // tokens take three deletes of at most three.
        expect(steps.mock.calls.length).toBeGreaterThanOrEqual(Math.ceil(Number(sessions) / 2));
        expect(scans.mock.calls.length).toBeGreaterThanOrEqual(Math.ceil(Number(tokens) / 4));
        expect(deletes.mock.calls.length).toBeGreaterThanOrEqual(3);
        expect(turns).toBeGreaterThanOrEqual(steps.mock.calls.length);

        const left: unknown[] = await t.dataSource.query(
          `SELECT token_hash FROM refresh_tokens WHERE session_id = '${longChain.tokens.session_state}'`,
        );
        expect(left).toEqual([]);
        const [sealed]: Array<{ successor_sealed: string | null }> = await t.dataSource.query(
          `SELECT successor_sealed FROM refresh_tokens WHERE token_hash = '${firstKey}'`,
        );
        expect(sealed.successor_sealed).toBeNull();
        expect(code(await refresh(t.http, token).expect(401))).toBe('invalid_refresh_token');
        await refresh(t.http, liveSecond.refresh_token).expect(200);
      } finally {
        Object.assign(cleanup.stepSizes, sizes);
        jest.restoreAllMocks();
      }
    });
  });
});

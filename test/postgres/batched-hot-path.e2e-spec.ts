import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { batchedPgRead } from '../../libs/auth/src/database/batched-pg-read';
import { type PgQueryable, postgresPool } from '../../libs/auth/src/database/postgres-pool';
import { PostgresSessionStatements } from '../../libs/auth/src/sessions/postgres-session.statements';
import type {
  OpeningLimit,
  RotationAttempt,
  SessionOpeningWrite,
} from '../../libs/auth/src/sessions/session-writes';
import { sha256Hex } from '../../libs/auth/src/common/crypto';
import { refreshTokenKey } from '../../libs/auth/src/sessions/refresh-token-key';
import { uuidv7 } from '../../libs/auth/src/common/ids';
import { refreshedAuditData } from '../../libs/auth/src/sessions/session-writes';
import {
  adminTokens,
  bearer,
  exchange,
  loggedInOperator,
  refresh,
  type TokenPair,
} from '../support/factories';
import { startTestApp, type TestApp } from '../support/test-app';
import { createTestDatabase } from '../support/test-database';

/**
 * The real pool, with the name of every statement sent through it recorded; but the
 * background measurement of the server's clock (PostgresClockOffset), which no request waits
 * for.
 */
function recordingPool(pool: PgQueryable): { pool: PgQueryable; sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    pool: {
      query: (config) => {
        if (config.name !== 'auth_server_clock') sent.push(config.name);
        return pool.query(config);
      },
    },
  };
}

describe('PostgreSQL hot path: the calls of one event-loop turn share a statement', () => {
  let app: TestApp;
  let admin: string;
  let statements: PostgresSessionStatements;
  let sent: string[];

  beforeAll(async () => {
    // A grace window, so rotations keep a sealed copy of the successor (see the last test).
    app = await startTestApp({
      db: await createTestDatabase('postgres'),
      env: { REFRESH_REUSE_GRACE_SECONDS: '5' },
    });
    admin = (await adminTokens(app.http)).access_token;
  });
  afterAll(() => app.dispose());
  beforeEach(() => {
    const pool = postgresPool(app.dataSource);
    if (!pool) throw new Error('not PostgreSQL');
    const recorded = recordingPool(pool);
    statements = new PostgresSessionStatements(recorded.pool, (sql) => sql);
    sent = recorded.sent;
  });

  interface LiveToken {
    hash: string;
    sessionId: string;
    apiUserId: string;
    apiKeyId: string;
  }

  /** A live session's generation-0 token: its hash, session, user and key. */
  async function liveToken(): Promise<LiveToken> {
    const operator = await loggedInOperator(app.http, admin);
    return {
      hash: refreshTokenKey(operator.tokens.refresh_token),
      sessionId: operator.tokens.session_state,
      apiUserId: operator.apiUserId,
      apiKeyId: operator.apiKeyId,
    };
  }

  function rotationOf(
    token: { hash: string },
    successorHash = sha256Hex(randomBytes(32).toString('base64url')),
  ): RotationAttempt {
    return {
      presentedHash: token.hash,
      now: Date.now(),
      successorHash,
      successorSealed: null,
      successorTtlMs: 60_000,
      forgetSealed: false,
      onlyForApiKey: null,
      auditId: uuidv7(),
      auditIp: '203.0.113.9',
      clientAddress: null,
      deadline: Date.now() + 60_000,
    };
  }

  /** What a won rotation of a generation-0 token answers. */
  const chainOf = (token: LiveToken) => ({
    sessionId: token.sessionId,
    apiUserId: token.apiUserId,
    apiKeyId: token.apiKeyId,
    role: 'operator',
    generation: 0,
    scope: null,
    audience: null,
  });

  const rows = (sql: string, values: unknown[] = []) =>
    app.dataSource.query<Record<string, unknown>[]>(sql, values);

  it('reads the candidates of one turn in one query, unknown tokens as null', async () => {
    const [first, second] = [await liveToken(), await liveToken()];
    const found = await Promise.all([
      statements.findCandidate(first.hash),
      statements.findCandidate(sha256Hex('never issued')),
      statements.findCandidate(second.hash),
      statements.findCandidate(first.hash),
    ]);
    expect(sent).toEqual(['auth_exchange_candidate_batch']);
    expect(found.map((candidate) => candidate?.sessionId ?? null)).toEqual([
      first.sessionId,
      null,
      second.sessionId,
      first.sessionId,
    ]);
    expect(found[0]).toMatchObject({ generation: 0, consumedAt: null, role: 'operator' });
  });

  it('reads API users by id in one query per turn, through the generic keyed read', async () => {
    const one = 'SELECT id, name FROM api_users WHERE id = $1';
    const pool = postgresPool(app.dataSource) as PgQueryable;
    const recorded = recordingPool(pool);
    const readUser = batchedPgRead<{ id: string; name: string }>(
      recorded.pool,
      'test_api_user_by_id',
      one,
      (row) => row.id,
    );
    const [first, second] = [
      await loggedInOperator(app.http, admin),
      await loggedInOperator(app.http, admin),
    ];
    const users = await Promise.all([
      readUser(second.apiUserId),
      readUser('00000000-0000-7000-8000-000000000000'),
      readUser(first.apiUserId),
    ]);
    expect(recorded.sent).toEqual(['test_api_user_by_id_batch']);
    expect(users).toEqual([
      { id: second.apiUserId, name: second.name },
      undefined,
      { id: first.apiUserId, name: first.name },
    ]);
    expect(await readUser(first.apiUserId)).toEqual({ id: first.apiUserId, name: first.name });
    expect(recorded.sent).toEqual(['test_api_user_by_id_batch', 'test_api_user_by_id']);
  });

  it('answers concurrent GET /api-users/me of different users each with its own user', async () => {
    const operators = await Promise.all(
      Array.from({ length: 4 }, () => loggedInOperator(app.http, admin)),
    );
    const responses = await Promise.all(
      operators.map((operator) =>
        app.http.get('/api-users/me').set(bearer(operator.tokens.access_token)).expect(200),
      ),
    );
    expect(responses.map((response) => (response.body as { id: string }).id)).toEqual(
      operators.map((operator) => operator.apiUserId),
    );
  });

  it('checks and commits the rotations of one turn in one statement, with no read before', async () => {
    const tokens = [await liveToken(), await liveToken(), await liveToken()];
    const attempts = tokens.map((token) => rotationOf(token));
    const chains = await Promise.all(
      attempts.map((attempt) => statements.rotateIfAllowed(attempt)),
    );
    expect(chains).toEqual(tokens.map(chainOf));
    expect(sent).toEqual(['auth_rotate_refresh_tokens']);
    for (const [i, attempt] of attempts.entries()) {
      const token = tokens[i];
      const [consumed] = await rows(
        'SELECT consumed_at, successor_hash FROM refresh_tokens WHERE token_hash = $1',
        [attempt.presentedHash],
      );
      expect(consumed).toEqual({
        consumed_at: String(attempt.now),
        successor_hash: attempt.successorHash,
      });
      expect(
        await rows(
          'SELECT session_id, generation, created_at, expires_at FROM refresh_tokens WHERE token_hash = $1',
          [attempt.successorHash],
        ),
      ).toEqual([
        {
          session_id: token.sessionId,
          generation: 1,
          created_at: String(attempt.now),
          expires_at: String(attempt.now + attempt.successorTtlMs),
        },
      ]);
      expect(
        await rows(
          'SELECT type, api_user_id, session_id, api_key_id, ip, data, created_at FROM audit_events WHERE id = $1',
          [attempt.auditId],
        ),
      ).toEqual([
        {
          type: 'token.refreshed',
          api_user_id: token.apiUserId,
          session_id: token.sessionId,
          api_key_id: token.apiKeyId,
          ip: '203.0.113.9',
          // The text refreshedAuditData gives on SQLite.
          data: refreshedAuditData(1),
          created_at: String(attempt.now),
        },
      ]);
    }
  });

  it('ends a successor with its session when the session ends first', async () => {
    const token = await liveToken();
    const [session] = await rows('SELECT expires_at FROM sessions WHERE id = $1', [
      token.sessionId,
    ]);
    const attempt = { ...rotationOf(token), successorTtlMs: 10 * 365 * 86_400_000 };
    expect(await statements.rotateIfAllowed(attempt)).toEqual(chainOf(token));
    expect(
      await rows('SELECT expires_at FROM refresh_tokens WHERE token_hash = $1', [
        attempt.successorHash,
      ]),
    ).toEqual([{ expires_at: session.expires_at }]);
  });

  describe('refuses in the statement what refusalOf refuses, writing nothing', () => {
    /** Asserts that the attempt wrote nothing: token unconsumed, no successor, no event. */
    async function expectRefused(attempt: RotationAttempt): Promise<void> {
      expect(await statements.rotateIfAllowed(attempt)).toBeNull();
      expect(
        await rows('SELECT consumed_at FROM refresh_tokens WHERE token_hash = $1', [
          attempt.presentedHash,
        ]),
      ).toEqual([{ consumed_at: null }]);
      expect(
        await rows('SELECT 1 FROM refresh_tokens WHERE token_hash = $1', [attempt.successorHash]),
      ).toEqual([]);
      expect(await rows('SELECT 1 FROM audit_events WHERE id = $1', [attempt.auditId])).toEqual([]);
    }

    it('another API key than the one allowed', async () => {
      const token = await liveToken();
      await expectRefused({ ...rotationOf(token), onlyForApiKey: 'another-key' });
      const allowed = { ...rotationOf(token), onlyForApiKey: token.apiKeyId };
      expect(await statements.rotateIfAllowed(allowed)).toEqual(chainOf(token));
    });

    it('a revoked session, a revoked key, a suspended user', async () => {
      const revoke = [
        'UPDATE sessions SET revoked_at = 1 WHERE id = $1',
        'UPDATE api_keys SET revoked_at = 1 WHERE id = (SELECT api_key_id FROM sessions WHERE id = $1)',
        "UPDATE api_users SET status = 'suspended' WHERE id = (SELECT api_user_id FROM sessions WHERE id = $1)",
      ];
      for (const sql of revoke) {
        const token = await liveToken();
        await rows(sql, [token.sessionId]);
        await expectRefused(rotationOf(token));
      }
    });

    it('an expired session or token, at the exchange instant', async () => {
      const token = await liveToken();
      const [link] = await rows('SELECT expires_at FROM refresh_tokens WHERE token_hash = $1', [
        token.hash,
      ]);
      await expectRefused({ ...rotationOf(token), now: Number(link.expires_at) });
      const [session] = await rows('SELECT expires_at FROM sessions WHERE id = $1', [
        token.sessionId,
      ]);
      await expectRefused({ ...rotationOf(token), now: Number(session.expires_at) });
      // One millisecond earlier the token is still good.
      const justInTime = { ...rotationOf(token), now: Number(link.expires_at) - 1 };
      expect(await statements.rotateIfAllowed(justInTime)).toEqual(chainOf(token));
    });

    it('a consumed token, or one never issued', async () => {
      const token = await liveToken();
      expect(await statements.rotateIfAllowed(rotationOf(token))).toEqual(chainOf(token));
      const again = rotationOf(token);
      expect(await statements.rotateIfAllowed(again)).toBeNull();
      expect(await rows('SELECT 1 FROM audit_events WHERE id = $1', [again.auditId])).toEqual([]);
      expect(await statements.rotateIfAllowed(rotationOf({ hash: 'never-issued' }))).toBeNull();
    });

    it("a rotation run after its request's deadline (the server's clock says so)", async () => {
      const token = await liveToken();
      const late = { ...rotationOf(token), deadline: Date.now() - 1 };
      expect(await statements.rotateIfAllowed(late)).toBeNull();
      const [row] = await rows('SELECT consumed_at FROM refresh_tokens WHERE token_hash = $1', [
        token.hash,
      ]);
      expect(row.consumed_at).toBeNull();
      expect(await rows('SELECT 1 FROM audit_events WHERE id = $1', [late.auditId])).toEqual([]);
      expect(await statements.rotateIfAllowed(rotationOf(token))).toEqual(chainOf(token));
    });
  });

  it("erases the sealed copy held one link back, as a rotation's own statement does", async () => {
    const chains = [];
    for (let i = 0; i < 2; i += 1) {
      const operator = await loggedInOperator(app.http, admin);
      // Through HTTP: generation 0 now holds the sealed copy of generation 1.
      const next = await refresh(app.http, operator.tokens.refresh_token).expect(200);
      chains.push({
        hash: refreshTokenKey((next.body as TokenPair).refresh_token),
        sessionId: operator.tokens.session_state,
        apiUserId: operator.apiUserId,
      });
    }
    const sealedOfGeneration0 = (sessionId: string) =>
      rows(
        'SELECT successor_sealed IS NOT NULL AS sealed FROM refresh_tokens WHERE session_id = $1 AND generation = 0',
        [sessionId],
      );
    expect(await sealedOfGeneration0(chains[0].sessionId)).toEqual([{ sealed: true }]);
    const attempts = chains.map((chain) => ({
      ...rotationOf(chain),
      successorSealed: 'sealed-copy-of-generation-2',
      forgetSealed: true,
    }));
    const rotated = await Promise.all(
      attempts.map((attempt) => statements.rotateIfAllowed(attempt)),
    );
    expect(rotated.map((chain) => chain?.generation)).toEqual([1, 1]);
    expect(sent).toEqual(['auth_rotate_refresh_tokens']);
    for (const chain of chains) {
      expect(await sealedOfGeneration0(chain.sessionId)).toEqual([{ sealed: false }]);
      expect(
        await rows(
          'SELECT generation, successor_sealed FROM refresh_tokens WHERE session_id = $1 AND generation > 0 ORDER BY generation',
          [chain.sessionId],
        ),
      ).toEqual([
        { generation: 1, successor_sealed: 'sealed-copy-of-generation-2' },
        { generation: 2, successor_sealed: null },
      ]);
    }
  });

  it('gives a token presented twice in one turn one winner and one successor', async () => {
    const token = await liveToken();
    const [first, repeat] = [rotationOf(token), rotationOf(token)];
    const other = rotationOf(await liveToken());
    const won = await Promise.all(
      [first, repeat, other].map((attempt) => statements.rotateIfAllowed(attempt)),
    );
    expect(won.map((chain) => chain !== null)).toEqual([true, false, true]);
    // The repeat ran alone after the batch, and found the token consumed.
    expect(sent).toEqual(['auth_rotate_refresh_tokens', 'auth_rotate_refresh_token']);
    expect(
      await rows('SELECT token_hash FROM refresh_tokens WHERE session_id = $1 AND generation = 1', [
        token.sessionId,
      ]),
    ).toEqual([{ token_hash: first.successorHash }]);
    expect(await rows('SELECT id FROM audit_events WHERE id = $1', [repeat.auditId])).toEqual([]);
  });

  it('gives each token one winner when two instances rotate the same tokens in one turn', async () => {
    // A second pool on the same database: another server instance's connections.
    const otherPool = new Pool({ connectionString: app.db.env.DATABASE_URL, max: 2 });
    const otherInstance = new PostgresSessionStatements(otherPool, (sql) => sql);
    try {
      for (let round = 0; round < 5; round += 1) {
        const tokens = [await liveToken(), await liveToken(), await liveToken()];
        const won = await Promise.all([
          ...tokens.map((token) => statements.rotateIfAllowed(rotationOf(token))),
          // The other instance submits them in the opposite order.
          ...[...tokens].reverse().map((token) => otherInstance.rotateIfAllowed(rotationOf(token))),
        ]);
        const wins = won.map((chain) => Number(chain !== null));
        const winsPerToken = tokens.map((_, i) => wins[i] + wins[wins.length - 1 - i]);
        expect(winsPerToken).toEqual([1, 1, 1]);
        expect(sent).toContain('auth_rotate_refresh_tokens');
        for (const token of tokens)
          expect(
            await rows('SELECT 1 FROM refresh_tokens WHERE session_id = $1 AND generation = 1', [
              token.sessionId,
            ]),
          ).toHaveLength(1);
      }
    } finally {
      await otherPool.end();
    }
  });

  it('runs the rotations one by one when the batch fails, so only the bad one fails', async () => {
    const good = rotationOf(await liveToken());
    const taken = await liveToken();
    // Its successor would reuse an existing token's hash: the primary key refuses the row.
    const bad = rotationOf(await liveToken(), taken.hash);
    const results = await Promise.allSettled(
      [good, bad].map((attempt) => statements.rotateIfAllowed(attempt)),
    );
    expect(results[0]).toMatchObject({ status: 'fulfilled', value: { generation: 0 } });
    expect(results[1].status).toBe('rejected');
    expect(sent).toEqual([
      'auth_rotate_refresh_tokens',
      'auth_rotate_refresh_token',
      'auth_rotate_refresh_token',
    ]);
    // Nothing of the failed batch or of the bad rotation was written.
    expect(
      await rows('SELECT consumed_at FROM refresh_tokens WHERE token_hash = $1', [
        bad.presentedHash,
      ]),
    ).toEqual([{ consumed_at: null }]);
    expect(await rows('SELECT id FROM audit_events WHERE id = $1', [bad.auditId])).toEqual([]);
    expect(
      await rows('SELECT generation FROM refresh_tokens WHERE token_hash = $1', [
        good.successorHash,
      ]),
    ).toEqual([{ generation: 1 }]);
  });
  /** What opening a session for `owner` writes, as SessionsService.open makes it. */
  function sessionOpening(
    owner: { apiUserId: string; apiKeyId: string },
    sessionId = uuidv7(),
    limit: OpeningLimit = { kind: 'none' },
  ): SessionOpeningWrite {
    const now = Date.now();
    return {
      session: {
        id: sessionId,
        apiUserId: owner.apiUserId,
        apiKeyId: owner.apiKeyId,
        createdAt: now,
        expiresAt: now + 60_000,
        ip: null,
        scope: null,
        audience: null,
      },
      firstToken: {
        tokenHash: sha256Hex(randomBytes(32).toString('base64url')),
        sessionId,
        generation: 0,
        createdAt: now,
        expiresAt: now + 30_000,
      },
      audit: {
        id: uuidv7(),
        type: 'token.issued',
        apiUserId: owner.apiUserId,
        sessionId,
        apiKeyId: owner.apiKeyId,
        ip: null,
        data: null,
        createdAt: now,
      },
      limit,
    };
  }

  it('opens the sessions of one turn in one statement, a failed batch one by one', async () => {
    const operator = await loggedInOperator(app.http, admin);
    const counting = (maxLiveSessions: number): OpeningLimit => ({
      kind: 'count',
      maxLiveSessions,
    });
    const opening = (sessionId?: string, limit?: OpeningLimit) =>
      sessionOpening(operator, sessionId, limit);
    // With a cap of 2, the operator's session and these two are one too many: the shared
    // statement counts the key and names the oldest once, to the first opening of the key.
    const together = [opening(uuidv7(), counting(2)), opening(uuidv7(), counting(2))];
    const opened = await Promise.all(together.map((write) => statements.openSession(write)));
    expect(sent).toEqual(['auth_open_sessions']);
    expect(opened).toEqual([
      { liveSessions: 3, overLimit: [operator.tokens.session_state], revokedOldest: null },
      { liveSessions: null, overLimit: [], revokedOldest: null },
    ]);
    // A turn opening more sessions for a key than its cap names the older of its own too.
    sent.length = 0;
    const pair = [opening(uuidv7(), counting(1)), opening(uuidv7(), counting(1))];
    const [named, none] = await Promise.all(pair.map((write) => statements.openSession(write)));
    expect(sent).toEqual(['auth_open_sessions']);
    expect(named.overLimit).toContain(pair[0].session.id);
    expect(named.overLimit).not.toContain(pair[1].session.id);
    expect(none.overLimit).toEqual([]);
    for (const write of together) {
      expect(
        await rows(
          'SELECT s.id, t.generation, a.type FROM sessions s JOIN refresh_tokens t ON t.session_id = s.id JOIN audit_events a ON a.session_id = s.id WHERE s.id = $1',
          [write.session.id],
        ),
      ).toEqual([{ id: write.session.id, generation: 0, type: 'token.issued' }]);
    }

    // A session id already taken: the shared statement fails, then only that opening does.
    sent.length = 0;
    const [good, clash] = [opening(), opening(operator.tokens.session_state)];
    const results = await Promise.allSettled([good, clash].map((w) => statements.openSession(w)));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected']);
    expect(sent).toEqual(['auth_open_sessions', 'auth_open_session', 'auth_open_session']);
    expect(await rows('SELECT id FROM sessions WHERE id = $1', [good.session.id])).toHaveLength(1);
    expect(await rows('SELECT id FROM audit_events WHERE id = $1', [clash.audit.id])).toEqual([]);
  });

  it("revokes at the cap, in the opening's statement, the key's oldest live sessions, once each", async () => {
    const operator = await loggedInOperator(app.http, admin);
    const { apiKeyId } = operator;
    const open = async () =>
      (await exchange(app.http, apiKeyId, operator.apiKeySecret)).session_state;
    const older = [await open(), await open(), await open()];
    // The login's session keeps a sealed successor (grace window): revoking it erases it.
    await refresh(app.http, operator.tokens.refresh_token).expect(200);
    const sealedOfOldest = () =>
      rows(
        'SELECT token_hash FROM refresh_tokens WHERE session_id = $1 AND successor_sealed IS NOT NULL',
        [operator.tokens.session_state],
      );
    expect(await sealedOfOldest()).toHaveLength(1);
    const atCap = (revokedUpTo = '', sessionId = uuidv7(), revokeBelow = sessionId) =>
      sessionOpening(operator, sessionId, {
        kind: 'revokeOldest',
        liveAt: Date.now(),
        revokedUpTo,
        revokeBelow,
        audit: {
          id: uuidv7(),
          type: 'session.revoked',
          apiUserId: operator.apiUserId,
          sessionId: null,
          apiKeyId,
          ip: '192.0.2.7',
          data: JSON.stringify({ reason: 'session_limit', by: 'system' }),
          createdAt: Date.now(),
        },
        forgetSealed: true,
      });
    const reasons = async (): Promise<Record<string, string | null>> =>
      Object.fromEntries(
        (
          await rows('SELECT id, revoked_reason FROM sessions WHERE api_key_id = $1', [apiKeyId])
        ).map((row) => [row.id as string, row.revoked_reason as string | null]),
      );

    sent.length = 0;
    const writes = [atCap(), atCap()];
    const opened = await Promise.all(writes.map((write) => statements.openSession(write)));
    expect(sent).toEqual(['auth_open_sessions']);
    // The login's session and the first exchange's are the oldest: one each, never a new one.
    const oldest = [operator.tokens.session_state, older[0]];
    expect(opened.map((o) => o.revokedOldest).sort()).toEqual([...oldest].sort());
    expect(opened.every((o) => o.liveSessions === null && o.overLimit.length === 0)).toBe(true);
    expect(await reasons()).toEqual({
      [oldest[0]]: 'session_limit',
      [oldest[1]]: 'session_limit',
      [older[1]]: null,
      [older[2]]: null,
      [writes[0].session.id]: null,
      [writes[1].session.id]: null,
    });
    expect(await sealedOfOldest()).toEqual([]);
    const events = await rows(
      "SELECT id, session_id, ip, data FROM audit_events WHERE type = 'session.revoked' AND api_key_id = $1",
      [apiKeyId],
    );
    expect(events.map((event) => event.session_id as string).sort()).toEqual([...oldest].sort());
    for (const event of events) {
      expect(event.ip).toBe('192.0.2.7');
      expect(JSON.parse(event.data as string)).toEqual({ reason: 'session_limit', by: 'system' });
    }

    // A concurrent revocation of the oldest live session (another opening at the cap, on this
    // instance or another) holds its row: the statement skips it, without waiting, and revokes
    // the next oldest.
    const other = await (postgresPool(app.dataSource) as unknown as Pool).connect();
    try {
      await other.query('BEGIN');
      await other.query(
        "UPDATE sessions SET revoked_at = 1, revoked_reason = 'session_limit' WHERE id = $1",
        [older[1]],
      );
      const late = await Promise.race([
        statements.openSession(atCap()),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('waited on the locked session')), 2000),
        ),
      ]);
      expect(late.revokedOldest).toBe(older[2]);
      await other.query('COMMIT');
    } finally {
      other.release();
    }
    expect((await reasons())[older[2]]).toBe('session_limit');
    const reported = await rows(
      "SELECT session_id FROM audit_events WHERE type = 'session.revoked' AND session_id = ANY($1)",
      [[older[1], older[2]]],
    );
    expect(reported).toEqual([{ session_id: older[2] }]);

    // A session revoked elsewhere, and committed, is stepped over: the next live one is revoked.
    await rows("UPDATE sessions SET revoked_at = 1, revoked_reason = 'revoked' WHERE id = $1", [
      writes[0].session.id,
    ]);
    expect((await statements.openSession(atCap())).revokedOldest).toBe(writes[1].session.id);

    // The search for the oldest starts after the last session revoked so: a live session at or
    // before it is stepped over as a revoked one would be.
    const [lateSession] = await rows(
      'SELECT id FROM sessions WHERE api_key_id = $1 AND revoked_at IS NULL ORDER BY id LIMIT 2',
      [apiKeyId],
    );
    const stepped = await statements.openSession(atCap(lateSession.id as string));
    expect(stepped.revokedOldest).not.toBe(lateSession.id);
    expect(stepped.revokedOldest! > (lateSession.id as string)).toBe(true);
    expect((await reasons())[lateSession.id as string]).toBeNull();

    // Only sessions older than the oldest this instance is still opening for the key are
    // candidates: one opened after it is left alone, even though it is the oldest committed.
    const [oldestLive] = await rows(
      'SELECT id FROM sessions WHERE api_key_id = $1 AND revoked_at IS NULL ORDER BY id LIMIT 1',
      [apiKeyId],
    );
    const bounded = await statements.openSession(atCap('', uuidv7(), oldestLive.id as string));
    expect(bounded.revokedOldest).toBeNull();
    expect((await reasons())[oldestLive.id as string]).toBeNull();
  });
});

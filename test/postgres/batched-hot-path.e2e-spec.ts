import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { batchedPgRead } from '../../libs/auth/src/database/batched-pg-read';
import { type PgQueryable, postgresPool } from '../../libs/auth/src/database/postgres-pool';
import { PostgresSessionStatements } from '../../libs/auth/src/sessions/postgres-session.statements';
import type {
  RotationWrite,
  SessionOpeningWrite,
} from '../../libs/auth/src/sessions/session-writes';
import { sha256Hex } from '../../libs/auth/src/common/crypto';
import { refreshTokenKey } from '../../libs/auth/src/sessions/refresh-token-key';
import { uuidv7 } from '../../libs/auth/src/common/ids';
import {
  adminTokens,
  bearer,
  loggedInOperator,
  refresh,
  type TokenPair,
} from '../support/factories';
import { startTestApp, type TestApp } from '../support/test-app';
import { createTestDatabase } from '../support/test-database';

/** The real pool, with the name of every statement sent through it recorded. */
function recordingPool(pool: PgQueryable): { pool: PgQueryable; sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    pool: {
      query: (config) => {
        sent.push(config.name);
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
    statements = new PostgresSessionStatements(recorded.pool);
    sent = recorded.sent;
  });

  /** A live session's generation-0 token: its hash and session. */
  async function liveToken(): Promise<{ hash: string; sessionId: string; apiUserId: string }> {
    const operator = await loggedInOperator(app.http, admin);
    return {
      hash: refreshTokenKey(operator.tokens.refresh_token),
      sessionId: operator.tokens.session_state,
      apiUserId: operator.apiUserId,
    };
  }

  function rotationOf(
    token: { hash: string; sessionId: string; apiUserId: string },
    successorHash = sha256Hex(randomBytes(32).toString('base64url')),
  ): RotationWrite {
    const now = Date.now();
    return {
      predecessorHash: token.hash,
      consumedAt: now,
      successor: {
        tokenHash: successorHash,
        sessionId: token.sessionId,
        generation: 1,
        createdAt: now,
        expiresAt: now + 60_000,
      },
      successorSealed: null,
      audit: {
        id: uuidv7(),
        type: 'token.refreshed',
        apiUserId: token.apiUserId,
        sessionId: token.sessionId,
        apiKeyId: 'unused-in-this-test',
        ip: '203.0.113.9',
        data: '{"generation":1}',
        createdAt: now,
      },
    };
  }

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

  it('commits the rotations of one turn in one statement, each writing its rows', async () => {
    const tokens = [await liveToken(), await liveToken(), await liveToken()];
    const writes = tokens.map((token) => rotationOf(token));
    const won = await Promise.all(writes.map((write) => statements.rotate(write)));
    expect(won).toEqual([true, true, true]);
    expect(sent).toEqual(['auth_rotate_refresh_tokens']);
    for (const write of writes) {
      const [consumed] = await rows(
        'SELECT consumed_at, successor_hash FROM refresh_tokens WHERE token_hash = $1',
        [write.predecessorHash],
      );
      expect(consumed).toEqual({
        consumed_at: String(write.consumedAt),
        successor_hash: write.successor.tokenHash,
      });
      expect(
        await rows('SELECT session_id, generation FROM refresh_tokens WHERE token_hash = $1', [
          write.successor.tokenHash,
        ]),
      ).toEqual([{ session_id: write.successor.sessionId, generation: 1 }]);
      expect(
        await rows('SELECT type, session_id, ip FROM audit_events WHERE id = $1', [write.audit.id]),
      ).toEqual([
        { type: 'token.refreshed', session_id: write.successor.sessionId, ip: '203.0.113.9' },
      ]);
    }
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
    const writes = chains.map((chain) => ({
      ...rotationOf(chain),
      successorSealed: 'sealed-copy-of-generation-2',
      forgetSealedOfGeneration: 0,
    }));
    for (const write of writes) write.successor.generation = 2;
    expect(await Promise.all(writes.map((write) => statements.rotate(write)))).toEqual([
      true,
      true,
    ]);
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
    const won = await Promise.all([first, repeat, other].map((write) => statements.rotate(write)));
    expect(won).toEqual([true, false, true]);
    // The repeat ran alone after the batch, and found the token consumed.
    expect(sent).toEqual(['auth_rotate_refresh_tokens', 'auth_rotate_refresh_token']);
    expect(
      await rows('SELECT token_hash FROM refresh_tokens WHERE session_id = $1 AND generation = 1', [
        token.sessionId,
      ]),
    ).toEqual([{ token_hash: first.successor.tokenHash }]);
    expect(await rows('SELECT id FROM audit_events WHERE id = $1', [repeat.audit.id])).toEqual([]);
  });

  it('gives each token one winner when two instances rotate the same tokens in one turn', async () => {
    // A second pool on the same database: another server instance's connections.
    const otherPool = new Pool({ connectionString: app.db.env.DATABASE_URL, max: 2 });
    const otherInstance = new PostgresSessionStatements(otherPool);
    try {
      for (let round = 0; round < 5; round += 1) {
        const tokens = [await liveToken(), await liveToken(), await liveToken()];
        const won = await Promise.all([
          ...tokens.map((token) => statements.rotate(rotationOf(token))),
          // The other instance submits them in the opposite order.
          ...[...tokens].reverse().map((token) => otherInstance.rotate(rotationOf(token))),
        ]);
        const winsPerToken = tokens.map((_, i) => Number(won[i]) + Number(won[won.length - 1 - i]));
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
    const results = await Promise.allSettled([good, bad].map((write) => statements.rotate(write)));
    expect(results[0]).toEqual({ status: 'fulfilled', value: true });
    expect(results[1].status).toBe('rejected');
    expect(sent).toEqual([
      'auth_rotate_refresh_tokens',
      'auth_rotate_refresh_token',
      'auth_rotate_refresh_token',
    ]);
    // Nothing of the failed batch or of the bad rotation was written.
    expect(
      await rows('SELECT consumed_at FROM refresh_tokens WHERE token_hash = $1', [
        bad.predecessorHash,
      ]),
    ).toEqual([{ consumed_at: null }]);
    expect(await rows('SELECT id FROM audit_events WHERE id = $1', [bad.audit.id])).toEqual([]);
    expect(
      await rows('SELECT generation FROM refresh_tokens WHERE token_hash = $1', [
        good.successor.tokenHash,
      ]),
    ).toEqual([{ generation: 1 }]);
  });
  it('opens the sessions of one turn in one statement, a failed batch one by one', async () => {
    const operator = await loggedInOperator(app.http, admin);
    const opening = (sessionId = uuidv7()): SessionOpeningWrite => {
      const now = Date.now();
      return {
        session: {
          id: sessionId,
          apiUserId: operator.apiUserId,
          apiKeyId: operator.apiKeyId,
          createdAt: now,
          expiresAt: now + 60_000,
          ip: null,
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
          apiUserId: operator.apiUserId,
          sessionId,
          apiKeyId: operator.apiKeyId,
          ip: null,
          data: null,
          createdAt: now,
        },
      };
    };
    const together = [opening(), opening()];
    await Promise.all(together.map((write) => statements.openSession(write)));
    expect(sent).toEqual(['auth_open_sessions']);
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
});

import { createHash, randomBytes } from 'node:crypto';
import { startTestApp, type TestApp } from '../support/test-app';
import {
  adminTokens,
  bearer,
  loggedInOperator,
  refresh,
  type TokenPair,
} from '../support/factories';
import {
  ageConsumption,
  expireRefreshToken,
  expireSession,
  sessionRow,
  refreshTokenKey,
} from '../support/db-clock';
import { decodeJwt } from '../support/jwt';

const code = (response: { body: { error?: { code?: string } } }) => response.body.error?.code;

describe('Refresh-token rotation (strict mode, no grace window)', () => {
  let t: TestApp;
  let admin: string;
  const newSession = async (): Promise<TokenPair> => (await loggedInOperator(t.http, admin)).tokens;

  beforeAll(async () => {
    t = await startTestApp();
    admin = (await adminTokens(t.http)).access_token;
  });
  afterAll(() => t.dispose());

  it('rule 1: a refresh token is exchanged once for its successor in the same session', async () => {
    const first = await newSession();
    const response = await refresh(t.http, first.refresh_token).expect(200);
    expect(Object.keys(response.body).sort()).toEqual([
      'access_token',
      'expires_in',
      'refresh_token',
      'session_state',
      'token_type',
    ]);
    expect(response.body.session_state).toBe(first.session_state);
    expect(response.body.refresh_token).not.toBe(first.refresh_token);
    expect(decodeJwt(response.body.access_token).payload.sid).toBe(first.session_state);
    await t.http.get('/api-users/me').set(bearer(response.body.access_token)).expect(200);
    // The chain goes on: the successor is exchanged in turn.
    const third = await refresh(t.http, response.body.refresh_token).expect(200);
    const chain: Array<{ generation: number; consumed: number }> = await t.dataSource.query(
      `SELECT generation, CASE WHEN consumed_at IS NULL THEN 0 ELSE 1 END AS consumed FROM refresh_tokens WHERE session_id = '${first.session_state}' ORDER BY generation`,
    );
    expect(chain.map((link) => [Number(link.generation), Number(link.consumed)])).toEqual([
      [0, 1],
      [1, 1],
      [2, 0],
    ]);
    expect(third.body.session_state).toBe(first.session_state);
  });

  it('rule 2: replaying a consumed token revokes the whole session and its access tokens', async () => {
    const first = await newSession();
    const second = (await refresh(t.http, first.refresh_token).expect(200)).body as TokenPair;
    const replay = await refresh(t.http, first.refresh_token).expect(401);
    expect(replay.body).toEqual({
      error: { code: 'refresh_token_reused', message: expect.any(String), target: 'refresh_token' },
    });
    // The live successor stops working ...
    expect(code(await refresh(t.http, second.refresh_token).expect(401))).toBe('session_revoked');
    // ... and so do the access tokens of the session, old and new.
    await t.http.get('/api-users/me').set(bearer(second.access_token)).expect(401);
    await t.http.get('/api-users/me').set(bearer(first.access_token)).expect(401);
    expect(await sessionRow(t.dataSource, first.session_state)).toMatchObject({
      revoked_reason: 'refresh_token_reused',
    });
  });

  it('rule 2: writes a refresh_token.reused audit event with the session and the IP', async () => {
    const operator = await loggedInOperator(t.http, admin);
    await refresh(t.http, operator.tokens.refresh_token).expect(200);
    await refresh(t.http, operator.tokens.refresh_token).expect(401);
    const history = await t.http
      .get(`/api-users/${operator.apiUserId}/history`)
      .set(bearer(admin))
      .expect(200);
    const types = history.body.edges.map((edge: { node: { type: string } }) => edge.node.type);
    expect(types.slice(0, 4)).toEqual([
      'session.revoked',
      'refresh_token.reused',
      'token.refreshed',
      'token.issued',
    ]);
    const reused = history.body.edges[1].node;
    expect(reused).toMatchObject({
      session_id: operator.tokens.session_state,
      api_key_id: operator.apiKeyId,
      ip: expect.any(String),
    });
    expect(reused.ip.length).toBeGreaterThan(0);
  });

  it('rule 3: 20 parallel exchanges of one token give exactly one 200 and never two successors', async () => {
    const first = await newSession();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => refresh(t.http, first.refresh_token)),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    // The losers are reuse (rule 2); those read after the session was revoked answer
    // session_revoked, which rule 7 puts first.
    const losers = responses.filter((response) => response.status === 401).map(code);
    expect(losers).toHaveLength(19);
    expect(losers).toContain('refresh_token_reused');
    expect(losers.every((c) => c === 'refresh_token_reused' || c === 'session_revoked')).toBe(true);
    const successors: unknown[] = await t.dataSource.query(
      `SELECT token_hash FROM refresh_tokens WHERE session_id = '${first.session_state}' AND generation = 1`,
    );
    expect(successors).toHaveLength(1);
    // Strict mode cannot tell a duplicate from a thief: the session is revoked.
    const winner = responses.find((response) => response.status === 200)?.body as TokenPair;
    expect(code(await refresh(t.http, winner.refresh_token))).toBe('session_revoked');
  });

  it('rule 5: an idle-expired token answers refresh_token_expired and revokes nothing', async () => {
    const first = await newSession();
    await expireRefreshToken(t.dataSource, first.refresh_token);
    expect(code(await refresh(t.http, first.refresh_token).expect(401))).toBe(
      'refresh_token_expired',
    );
    expect(await sessionRow(t.dataSource, first.session_state)).toMatchObject({ revoked_at: null });
    await t.http.get('/api-users/me').set(bearer(first.access_token)).expect(200);
  });

  it('rule 5: a session past its absolute lifetime answers session_expired, however fresh the token', async () => {
    const first = await newSession();
    const second = (await refresh(t.http, first.refresh_token).expect(200)).body as TokenPair;
    await expireSession(t.dataSource, first.session_state);
    expect(code(await refresh(t.http, second.refresh_token).expect(401))).toBe('session_expired');
    expect(await sessionRow(t.dataSource, first.session_state)).toMatchObject({ revoked_at: null });
  });

  it('rule 5: the successor never outlives its session', async () => {
    const first = await newSession();
    const second = (await refresh(t.http, first.refresh_token).expect(200)).body as TokenPair;
    const [session] = await t.dataSource.query(
      `SELECT expires_at FROM sessions WHERE id = '${first.session_state}'`,
    );
    const [token] = await t.dataSource.query(
      `SELECT expires_at FROM refresh_tokens WHERE token_hash = '${refreshTokenKey(second.refresh_token)}'`,
    );
    expect(Number(token.expires_at)).toBeLessThanOrEqual(Number(session.expires_at));
  });

  it('rule 5: a revoked session, a revoked API key or a suspended user answers session_revoked', async () => {
    const viaSession = await newSession();
    await t.http.delete(`/sessions/${viaSession.session_state}`).set(bearer(admin)).expect(204);
    expect(code(await refresh(t.http, viaSession.refresh_token).expect(401))).toBe(
      'session_revoked',
    );

    const keyOwner = await loggedInOperator(t.http, admin);
    await t.http
      .delete(`/api-users/${keyOwner.apiUserId}/api-keys/${keyOwner.apiKeyId}`)
      .set(bearer(admin))
      .expect(204);
    expect(code(await refresh(t.http, keyOwner.tokens.refresh_token).expect(401))).toBe(
      'session_revoked',
    );
    await t.http.get('/api-users/me').set(bearer(keyOwner.tokens.access_token)).expect(401);

    const suspended = await loggedInOperator(t.http, admin);
    await t.http
      .patch(`/api-users/${suspended.apiUserId}`)
      .set(bearer(admin))
      .send({ status: 'suspended' })
      .expect(200);
    expect(code(await refresh(t.http, suspended.tokens.refresh_token).expect(401))).toBe(
      'session_revoked',
    );
    await t.http.get('/api-users/me').set(bearer(suspended.tokens.access_token)).expect(401);
    // Reactivation does not bring the ended sessions back.
    await t.http
      .patch(`/api-users/${suspended.apiUserId}`)
      .set(bearer(admin))
      .send({ status: 'active' })
      .expect(200);
    expect(code(await refresh(t.http, suspended.tokens.refresh_token).expect(401))).toBe(
      'session_revoked',
    );
  });

  it('keys new tokens by issue instant and SHA-256, and still exchanges a token of the old form', async () => {
    const first = await newSession();
    const [link] = await t.dataSource.query(
      `SELECT token_hash, created_at FROM refresh_tokens WHERE session_id = '${first.session_state}'`,
    );
    // The key starts with the instant the token was issued, so new keys sort last.
    expect(link.token_hash).toBe(refreshTokenKey(first.refresh_token));
    expect(parseInt(link.token_hash.slice(0, 12), 16)).toBe(Number(link.created_at));
    // A token issued before keys carried time (43 characters, keyed by its hex SHA-256) keeps
    // working after an upgrade, and its successor takes the new form.
    const legacy = randomBytes(32).toString('base64url');
    await t.dataSource.query(
      `UPDATE refresh_tokens SET token_hash = '${createHash('sha256').update(legacy).digest('hex')}' WHERE token_hash = '${link.token_hash}'`,
    );
    const next = await refresh(t.http, legacy).expect(200);
    expect(next.body.session_state).toBe(first.session_state);
    expect(next.body.refresh_token).toHaveLength(51);
    await refresh(t.http, next.body.refresh_token).expect(200);
    // ... and is single use like any other: replaying it is reuse.
    expect(code(await refresh(t.http, legacy).expect(401))).toBe('refresh_token_reused');
  });

  it('rule 6: token responses are not cacheable', async () => {
    const first = await newSession();
    const response = await refresh(t.http, first.refresh_token).expect(200);
    expect(response.headers['cache-control']).toBe('no-store');
  });

  describe('rule 7: the first failure in the contract order answers', () => {
    it('unknown beats everything', async () => {
      expect(code(await refresh(t.http, 'A'.repeat(43)).expect(401))).toBe('invalid_refresh_token');
      expect(code(await refresh(t.http, 'not even base64url !').expect(401))).toBe(
        'invalid_refresh_token',
      );
    });

    it('revoked beats expired, reuse and idle expiry', async () => {
      const first = await newSession();
      await refresh(t.http, first.refresh_token).expect(200);
      await t.http.delete(`/sessions/${first.session_state}`).set(bearer(admin)).expect(204);
      await expireSession(t.dataSource, first.session_state);
      await expireRefreshToken(t.dataSource, first.refresh_token);
      expect(code(await refresh(t.http, first.refresh_token).expect(401))).toBe('session_revoked');
    });

    it('session expiry beats reuse and idle expiry (and revokes nothing)', async () => {
      const first = await newSession();
      await refresh(t.http, first.refresh_token).expect(200);
      await expireSession(t.dataSource, first.session_state);
      await expireRefreshToken(t.dataSource, first.refresh_token);
      expect(code(await refresh(t.http, first.refresh_token).expect(401))).toBe('session_expired');
      expect(await sessionRow(t.dataSource, first.session_state)).toMatchObject({
        revoked_at: null,
      });
    });

    it('reuse beats idle expiry', async () => {
      const first = await newSession();
      await refresh(t.http, first.refresh_token).expect(200);
      await expireRefreshToken(t.dataSource, first.refresh_token);
      expect(code(await refresh(t.http, first.refresh_token).expect(401))).toBe(
        'refresh_token_reused',
      );
    });
  });

  it('answers 400 to a malformed body and never 5xx to hostile tokens', async () => {
    await t.http.post('/auth/token/refresh').send({}).expect(400);
    await t.http.post('/auth/token/refresh').send({ refresh_token: 42 }).expect(400);
    await t.http
      .post('/auth/token/refresh')
      .send({ refresh_token: 'x'.repeat(10_000) })
      .expect(400);
    await t.http.post('/auth/token/refresh').send({ refresh_token: '' }).expect(400);
    for (const hostile of ["' OR 1=1 --", 'a\u0000b', 'a\ud800b', '__proto__']) {
      expect(code(await refresh(t.http, hostile).expect(401))).toBe('invalid_refresh_token');
    }
  });

  it('a refresh token is not an access token, and an access token is not a refresh token', async () => {
    const first = await newSession();
    expect(code(await refresh(t.http, first.access_token))).toBe('validation_failed');
    await t.http.get('/api-users/me').set(bearer(first.refresh_token)).expect(401);
  });
});

describe('Refresh-token rotation with a grace window', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { REFRESH_REUSE_GRACE_SECONDS: '30' } });
    admin = (await adminTokens(t.http)).access_token;
  });
  afterAll(() => t.dispose());

  it('rule 4: parallel exchanges of one token all answer the same successor and revoke nothing', async () => {
    const { tokens } = await loggedInOperator(t.http, admin);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => refresh(t.http, tokens.refresh_token)),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
    expect(new Set(responses.map((response) => response.body.refresh_token)).size).toBe(1);
    const successors: unknown[] = await t.dataSource.query(
      `SELECT token_hash FROM refresh_tokens WHERE session_id = '${tokens.session_state}' AND generation = 1`,
    );
    expect(successors).toHaveLength(1);
    expect(await sessionRow(t.dataSource, tokens.session_state)).toMatchObject({
      revoked_at: null,
    });
    await refresh(t.http, responses[0].body.refresh_token).expect(200);
  });

  it('rule 4: a retry after the successor was used is reuse', async () => {
    const { tokens } = await loggedInOperator(t.http, admin);
    const second = (await refresh(t.http, tokens.refresh_token).expect(200)).body as TokenPair;
    await refresh(t.http, second.refresh_token).expect(200);
    expect(code(await refresh(t.http, tokens.refresh_token).expect(401))).toBe(
      'refresh_token_reused',
    );
    expect(await sessionRow(t.dataSource, tokens.session_state)).toMatchObject({
      revoked_reason: 'refresh_token_reused',
    });
  });

  it('rule 4: a retry after the window has closed is reuse, and revokes the session', async () => {
    const { tokens } = await loggedInOperator(t.http, admin);
    const second = (await refresh(t.http, tokens.refresh_token).expect(200)).body as TokenPair;
    expect((await refresh(t.http, tokens.refresh_token).expect(200)).body.refresh_token).toBe(
      second.refresh_token,
    );
    await ageConsumption(t.dataSource, tokens.refresh_token, 31_000);
    expect(code(await refresh(t.http, tokens.refresh_token).expect(401))).toBe(
      'refresh_token_reused',
    );
    expect(code(await refresh(t.http, second.refresh_token).expect(401))).toBe('session_revoked');
  });

  it('keeps the sealed successor only while it can still be needed', async () => {
    const { tokens } = await loggedInOperator(t.http, admin);
    const second = (await refresh(t.http, tokens.refresh_token).expect(200)).body as TokenPair;
    const sealed = async () =>
      (
        await t.dataSource.query(
          `SELECT successor_sealed FROM refresh_tokens WHERE token_hash = '${refreshTokenKey(tokens.refresh_token)}'`,
        )
      )[0].successor_sealed;
    const stored: string = await sealed();
    expect(stored).toEqual(expect.any(String));
    expect(stored).not.toContain(second.refresh_token);
    await refresh(t.http, second.refresh_token).expect(200);
    expect(await sealed()).toBeNull();
  });

  describe('erases the sealed successor as soon as its session is revoked, by every path', () => {
    const sealedRows = async (sessionId: string): Promise<number> =>
      Number(
        (
          await t.dataSource.query(
            `SELECT COUNT(*) AS n FROM refresh_tokens WHERE session_id = '${sessionId}' AND successor_sealed IS NOT NULL`,
          )
        )[0].n,
      );
    /** An operator whose session holds a sealed successor (it has just been refreshed once). */
    const sessionWithSealedSuccessor = async () => {
      const operator = await loggedInOperator(t.http, admin);
      const second = (await refresh(t.http, operator.tokens.refresh_token).expect(200))
        .body as TokenPair;
      const sessionId = operator.tokens.session_state;
      expect(await sealedRows(sessionId)).toBe(1);
      return { operator, second, sessionId };
    };
    const basic = (id: string, secret: string) =>
      `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

    const paths: Array<
      [string, (s: Awaited<ReturnType<typeof sessionWithSealedSuccessor>>) => Promise<unknown>]
    > = [
      [
        'logout',
        ({ second }) => t.http.post('/auth/logout').set(bearer(second.access_token)).expect(204),
      ],
      [
        'DELETE /sessions/{id}',
        ({ sessionId }) => t.http.delete(`/sessions/${sessionId}`).set(bearer(admin)).expect(204),
      ],
      [
        'reuse',
        async ({ operator, second }) => {
          // The successor is used (and the next one sealed), then the first token comes back.
          await refresh(t.http, second.refresh_token).expect(200);
          await refresh(t.http, operator.tokens.refresh_token).expect(401);
        },
      ],
      [
        'user suspension',
        ({ operator }) =>
          t.http
            .patch(`/api-users/${operator.apiUserId}`)
            .set(bearer(admin))
            .send({ status: 'suspended' })
            .expect(200),
      ],
      [
        'API key revocation',
        ({ operator }) =>
          t.http
            .delete(`/api-users/${operator.apiUserId}/api-keys/${operator.apiKeyId}`)
            .set(bearer(admin))
            .expect(204),
      ],
      [
        'OAuth revoke',
        ({ operator, second }) =>
          t.http
            .post('/oauth/revoke')
            .set('authorization', basic(operator.apiKeyId, operator.apiKeySecret))
            .type('form')
            .send({ token: second.refresh_token })
            .expect(200),
      ],
    ];

    it.each(paths)('%s', async (_name, revoke) => {
      const session = await sessionWithSealedSuccessor();
      await revoke(session);
      expect(await sessionRow(t.dataSource, session.sessionId)).toMatchObject({
        revoked_at: expect.anything(),
      });
      expect(await sealedRows(session.sessionId)).toBe(0);
    });
  });
});

import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { startTestApp, TEST_ISSUER, type TestApp } from '../support/test-app';
import { countingTurns } from '../support/event-loop-turns';
import {
  adminTokens,
  bearer,
  loggedInOperator,
  refresh,
  uniqueName,
  type TokenPair,
} from '../support/factories';
import { expireRefreshToken, expireSession } from '../support/db-clock';
import { WalletTokenCleanupService } from '../../libs/auth/src/profiles/wallet-refresh/wallet-token-cleanup.service';
import { WalletTokensRepository } from '../../libs/auth/src/profiles/wallet-refresh/wallet-tokens.repository';

const SEED_002 = '/api/v1/authenticate/refresh';
const SEED_003 = '/api/login/refresh-token';
const SEED_004 = '/api/v2/wallet/refresh';
const OPERATION = '/api/v2/wallet/operation';

describe('Seed profiles', () => {
  let t: TestApp;
  let admin: string;
  let clientSecret: string;
  const session = async (): Promise<TokenPair> => (await loggedInOperator(t.http, admin)).tokens;
  /** POST to seed 004 with `secret` as x-client-secret (null: no header at all). */
  const seed004 = (refreshToken: unknown, secret: string | null = clientSecret) => {
    const request = t.http.post(SEED_004);
    if (secret !== null) void request.set('x-client-secret', secret);
    return request.send({ refreshToken });
  };

  beforeAll(async () => {
    t = await startTestApp();
    admin = (await adminTokens(t.http)).access_token;
    clientSecret = (
      await t.http
        .post('/clients')
        .set(bearer(admin))
        .send({ name: uniqueName('wallet') })
        .expect(201)
    ).body.client_secret;
  });
  afterAll(() => t.dispose());

  describe('seed 002: POST /api/v1/authenticate/refresh', () => {
    it('answers {jwtToken, refreshToken} in the same session', async () => {
      const first = await session();
      const response = await t.http
        .post(SEED_002)
        .send({ refreshToken: first.refresh_token })
        .expect(200);
      expect(Object.keys(response.body).sort()).toEqual(['jwtToken', 'refreshToken']);
      expect(response.headers['cache-control']).toBe('no-store');
      const me = await t.http.get('/api-users/me').set(bearer(response.body.jwtToken)).expect(200);
      expect(me.body.role).toBe('operator');
      // The successor goes on at the core endpoint.
      const core = await refresh(t.http, response.body.refreshToken).expect(200);
      expect(core.body.session_state).toBe(first.session_state);
    });

    it('answers 400, 401, 404 in the {error: {code, message, target, details}} shape', async () => {
      const invalid = await t.http.post(SEED_002).send({}).expect(400);
      expect(invalid.body.error).toMatchObject({
        code: 'validation_failed',
        target: 'refreshToken',
        details: expect.any(Array),
      });
      const unknown = await t.http
        .post(SEED_002)
        .send({ refreshToken: 'A'.repeat(43) })
        .expect(404);
      expect(unknown.body).toEqual({
        error: {
          code: 'invalid_refresh_token',
          message: expect.any(String),
          target: 'refresh_token',
        },
      });
      const expired = await session();
      await expireRefreshToken(t.dataSource, expired.refresh_token);
      expect(
        (await t.http.post(SEED_002).send({ refreshToken: expired.refresh_token }).expect(401)).body
          .error.code,
      ).toBe('refresh_token_expired');
    });

    it('detects a replay and revokes the session', async () => {
      const first = await session();
      await t.http.post(SEED_002).send({ refreshToken: first.refresh_token }).expect(200);
      const replay = await t.http
        .post(SEED_002)
        .send({ refreshToken: first.refresh_token })
        .expect(401);
      expect(replay.body.error.code).toBe('refresh_token_reused');
      await t.http.get('/api-users/me').set(bearer(first.access_token)).expect(401);
    });
  });

  describe('seed 003: POST /api/login/refresh-token', () => {
    it('answers {accessToken, refreshToken, expiresIn, tokenType}', async () => {
      const first = await session();
      const response = await t.http
        .post(SEED_003)
        .send({ refreshToken: first.refresh_token })
        .expect(200);
      expect(response.body).toEqual({
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        expiresIn: 300,
        tokenType: 'Bearer',
      });
      await t.http.get('/api-users/me').set(bearer(response.body.accessToken)).expect(200);
      // And back to seed 002 with the successor.
      await t.http.post(SEED_002).send({ refreshToken: response.body.refreshToken }).expect(200);
    });

    it('answers an idle-expired token and an expired session with 401 RefreshToken Expired', async () => {
      const idle = await session();
      await expireRefreshToken(t.dataSource, idle.refresh_token);
      const first = await t.http
        .post(SEED_003)
        .send({ refreshToken: idle.refresh_token })
        .expect(401);
      expect(first.body).toEqual({ code: '401', response: 'RefreshToken Expired' });
      const old = await session();
      await expireSession(t.dataSource, old.session_state);
      const second = await t.http
        .post(SEED_003)
        .send({ refreshToken: old.refresh_token })
        .expect(401);
      expect(second.body).toEqual({ code: '401', response: 'RefreshToken Expired' });
    });

    it('answers other failures in the same two-field shape', async () => {
      expect(
        (
          await t.http
            .post(SEED_003)
            .send({ refreshToken: 'A'.repeat(43) })
            .expect(401)
        ).body,
      ).toEqual({ code: '401', response: 'RefreshToken Invalid' });
      const first = await session();
      await t.http.post(SEED_003).send({ refreshToken: first.refresh_token }).expect(200);
      expect(
        (await t.http.post(SEED_003).send({ refreshToken: first.refresh_token }).expect(401)).body,
      ).toEqual({ code: '401', response: 'RefreshToken Reused' });
      const revoked = await session();
      await t.http.delete(`/sessions/${revoked.session_state}`).set(bearer(admin)).expect(204);
      expect(
        (await t.http.post(SEED_003).send({ refreshToken: revoked.refresh_token }).expect(401))
          .body,
      ).toEqual({ code: '401', response: 'RefreshToken Revoked' });
      const invalid = await t.http.post(SEED_003).send({ refreshToken: 12 }).expect(400);
      expect(invalid.body).toEqual({ code: '400', response: expect.any(String) });
    });
  });

  describe('seed 004: POST /api/v2/wallet/refresh', () => {
    it('answers {status: 200, message: "Refresh Success", data: {walletToken, refreshToken}}', async () => {
      const first = await session();
      const response = await seed004(first.refresh_token).expect(200);
      expect(response.body).toEqual({
        status: 200,
        message: 'Refresh Success',
        data: { walletToken: expect.any(String), refreshToken: expect.any(String) },
      });
      // The successor works at the core endpoint too.
      await refresh(t.http, response.body.data.refreshToken).expect(200);
    });

    it('checks the client secret first: missing, wrong or deleted is 401 and leaves the token unused', async () => {
      const first = await session();
      expect((await seed004(first.refresh_token, null).expect(401)).body).toEqual({
        status: 401,
        message: 'Invalid client secret',
      });
      expect((await seed004(first.refresh_token, 'wrong-secret').expect(401)).body).toEqual({
        status: 401,
        message: 'Invalid client secret',
      });
      const doomed = (
        await t.http
          .post('/clients')
          .set(bearer(admin))
          .send({ name: uniqueName('doomed') })
          .expect(201)
      ).body;
      await t.http.delete(`/clients/${doomed.client_id}`).set(bearer(admin)).expect(204);
      expect((await seed004(first.refresh_token, doomed.client_secret).expect(401)).body).toEqual({
        status: 401,
        message: 'Invalid client secret',
      });
      // Even a bad body is refused for the secret before it is validated.
      expect((await seed004(42, 'wrong-secret').expect(401)).body.message).toBe(
        'Invalid client secret',
      );
      // None of that consumed the refresh token.
      await seed004(first.refresh_token).expect(200);
    });

    it('answers failures as {status, message}', async () => {
      expect((await seed004(undefined).expect(400)).body).toEqual({
        status: 400,
        message: expect.any(String),
      });
      expect((await seed004('A'.repeat(43)).expect(401)).body).toEqual({
        status: 401,
        message: 'Invalid refresh token',
      });
      const first = await session();
      await seed004(first.refresh_token).expect(200);
      expect((await seed004(first.refresh_token).expect(401)).body).toEqual({
        status: 401,
        message: 'Refresh token already used',
      });
      await t.http.get('/api-users/me').set(bearer(first.access_token)).expect(401);
    });

    it('issues a wallet token that the operation endpoint accepts exactly once', async () => {
      const { data } = (await seed004((await session()).refresh_token).expect(200)).body;
      const accepted = await t.http.post(OPERATION).set(bearer(data.walletToken)).expect(200);
      expect(accepted.body).toEqual({ status: 200, message: 'Operation Accepted' });
      const again = await t.http.post(OPERATION).set(bearer(data.walletToken)).expect(401);
      expect(again.body).toEqual({ status: 401, message: expect.any(String) });
    });

    it('lets exactly one of concurrent uses of a wallet token through', async () => {
      const { data } = (await seed004((await session()).refresh_token).expect(200)).body;
      const statuses = await Promise.all(
        Array.from({ length: 10 }, () =>
          t.http
            .post(OPERATION)
            .set(bearer(data.walletToken))
            .then((r) => r.status),
        ),
      );
      expect(statuses.sort()).toEqual([200, ...Array(9).fill(401)]);
    });

    it('keeps wallet tokens and access tokens apart', async () => {
      const first = await session();
      const { data } = (await seed004(first.refresh_token).expect(200)).body;
      await t.http.get('/api-users/me').set(bearer(data.walletToken)).expect(401);
      const second = await session();
      await t.http.post(OPERATION).set(bearer(second.access_token)).expect(401);
      await t.http.post(OPERATION).set(bearer(second.refresh_token)).expect(401);
      await t.http.post(OPERATION).expect(401);
      // The wallet token is still unused after all that.
      await t.http.post(OPERATION).set(bearer(data.walletToken)).expect(200);
    });

    it('gives wallet tokens their own audience: a resource server checking only iss and aud (jose) refuses one', async () => {
      const first = await session();
      const { data } = (await seed004(first.refresh_token).expect(200)).body;
      const jwks = createLocalJWKSet(
        (await t.http.get('/.well-known/jwks.json').expect(200)).body as JSONWebKeySet,
      );
      const accessTokenChecks = { issuer: TEST_ISSUER, audience: TEST_ISSUER };
      // The same checks pass an access token, so only the audience tells the two apart.
      await expect(jwtVerify(first.access_token, jwks, accessTokenChecks)).resolves.toBeDefined();
      await expect(jwtVerify(data.walletToken, jwks, accessTokenChecks)).rejects.toThrow(/aud/);
      const { payload } = await jwtVerify(data.walletToken, jwks, {
        issuer: TEST_ISSUER,
        audience: `${TEST_ISSUER}/wallet`,
      });
      expect(payload.aud).toBe(`${TEST_ISSUER}/wallet`);
      // The wallet guard checks that audience, and still takes the token once.
      await t.http.post(OPERATION).set(bearer(data.walletToken)).expect(200);
    });

    it('the wallet guard refuses a wallet token made for another wallet audience', async () => {
      const first = await session();
      const { data } = (await seed004(first.refresh_token).expect(200)).body;
      // Same database, so the same signing keys and issuer: only the audience differs.
      const other = await startTestApp({
        db: t.db,
        env: { WALLET_TOKEN_AUDIENCE: 'urn:another-wallet' },
      });
      try {
        await other.http.post(OPERATION).set(bearer(data.walletToken)).expect(401);
      } finally {
        await other.close();
      }
      // Refused without being spent: this server's guard still takes it once.
      await t.http.post(OPERATION).set(bearer(data.walletToken)).expect(200);
    });

    it('deletes expired wallet tokens a few at a time, with turns of the event loop between', async () => {
      const cleanup = t.app.get(WalletTokenCleanupService);
      const steps = jest.spyOn(t.app.get(WalletTokensRepository), 'deleteSomeExpiredBefore');
      const perStep = cleanup.deletesPerStep;
      cleanup.deletesPerStep = 2;
      try {
        const walletToken = async (): Promise<string> =>
          (await seed004((await session()).refresh_token).expect(200)).body.data.walletToken;
        const jti = (token: string): string =>
          (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { jti: string })
            .jti;
        const expired: string[] = [];
        for (let i = 0; i < 5; i += 1) expired.push(jti(await walletToken()));
        const kept = await walletToken();
        const now = Date.now();
        const ids = expired.map((id) => `'${id}'`).join(', ');
        await t.dataSource.query(
          `UPDATE wallet_tokens SET expires_at = ${now - 1} WHERE id IN (${ids})`,
        );

        const { result: deleted, turns } = await countingTurns(() => cleanup.run(now));

        expect(deleted).toBeGreaterThanOrEqual(5);
        // Five expired tokens, two per statement: three statements at least, with turns between.
        expect(steps.mock.calls.length).toBeGreaterThanOrEqual(3);
        expect(turns).toBeGreaterThanOrEqual(steps.mock.calls.length - 1);
        expect(
          await t.dataSource.query(`SELECT id FROM wallet_tokens WHERE id IN (${ids})`),
        ).toEqual([]);
        await t.http.post(OPERATION).set(bearer(kept)).expect(200);
      } finally {
        cleanup.deletesPerStep = perStep;
        jest.restoreAllMocks();
      }
    });

    it('refuses the wallet token of a revoked session', async () => {
      const first = await session();
      const { data } = (await seed004(first.refresh_token).expect(200)).body;
      await t.http.delete(`/sessions/${first.session_state}`).set(bearer(admin)).expect(204);
      await t.http.post(OPERATION).set(bearer(data.walletToken)).expect(401);
    });
  });

  it('serves one chain through every endpoint in turn', async () => {
    const first = await session();
    let token = first.refresh_token;
    token = (await t.http.post(SEED_003).send({ refreshToken: token }).expect(200)).body
      .refreshToken;
    token = (await t.http.post(SEED_002).send({ refreshToken: token }).expect(200)).body
      .refreshToken;
    token = (await seed004(token).expect(200)).body.data.refreshToken;
    const last = await refresh(t.http, token).expect(200);
    expect(last.body.session_state).toBe(first.session_state);
    const generations: Array<{ generation: number }> = await t.dataSource.query(
      `SELECT generation FROM refresh_tokens WHERE session_id = '${first.session_state}'`,
    );
    expect(generations.map((row) => Number(row.generation)).sort()).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('Seed profiles when the database fails', () => {
  it('answer 500 in each profile shape', async () => {
    const t = await startTestApp();
    try {
      const admin = (await adminTokens(t.http)).access_token;
      const secret = (
        await t.http
          .post('/clients')
          .set(bearer(admin))
          .send({ name: uniqueName('c') })
          .expect(201)
      ).body.client_secret;
      const { tokens } = await loggedInOperator(t.http, admin);
      // Cache the client check's answer path first, then take the database away.
      await t.dataSource.destroy();
      expect(
        (await t.http.post(SEED_002).send({ refreshToken: tokens.refresh_token }).expect(500)).body,
      ).toEqual({ error: { code: 'internal_error', message: expect.any(String) } });
      expect(
        (await t.http.post(SEED_003).send({ refreshToken: tokens.refresh_token }).expect(500)).body,
      ).toEqual({ code: '500', response: 'Internal Server Error' });
      expect(
        (
          await t.http
            .post(SEED_004)
            .set('x-client-secret', secret)
            .send({ refreshToken: tokens.refresh_token })
            .expect(500)
        ).body,
      ).toEqual({ status: 500, message: 'Internal server error' });
    } finally {
      await t.close();
    }
  });
});

describe('Mounting only some profiles', () => {
  it('serves the configured profiles and no others', async () => {
    const t = await startTestApp({ env: { PROFILES: 'login-refresh-token' } });
    try {
      const { refresh_token } = await adminTokens(t.http);
      await t.http.post(SEED_002).send({ refreshToken: refresh_token }).expect(404);
      await t.http.post(SEED_004).send({ refreshToken: refresh_token }).expect(404);
      await t.http.post(OPERATION).expect(404);
      await t.http.post(SEED_003).send({ refreshToken: refresh_token }).expect(200);
    } finally {
      await t.dispose();
    }
  });
});

import { createServer } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { Issuer, errors, type BaseClient } from 'openid-client';
import { ADMIN_KEY_ID, ADMIN_KEY_SECRET, startTestApp, type TestApp } from '../support/test-app';
import { adminTokens, bearer, refresh, registeredUser } from '../support/factories';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Captures what a call threw (openid-client signals OAuth errors by throwing OPError). */
async function failure(promise: Promise<unknown>): Promise<errors.OPError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof errors.OPError) return error;
    throw error;
  }
  throw new Error('expected an OAuth error');
}

describe('OAuth 2.0 endpoints with real clients (openid-client, jose)', () => {
  let t: TestApp;
  let base: string;
  let issuer: Issuer<BaseClient>;
  let client: BaseClient;
  let operator: { apiKeyId: string; apiKeySecret: string };

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await startTestApp({ env: { ISSUER_URL: base } });
    await t.app.listen(port, '127.0.0.1');
    issuer = await Issuer.discover(`${base}/.well-known/oauth-authorization-server`);
    operator = await registeredUser(t.http, (await adminTokens(t.http)).access_token);
    client = new issuer.Client({
      client_id: operator.apiKeyId,
      client_secret: operator.apiKeySecret,
      token_endpoint_auth_method: 'client_secret_basic',
    });
  });
  afterAll(() => t.dispose());

  it('publishes RFC 8414 metadata that openid-client discovers', () => {
    expect(issuer.metadata).toMatchObject({
      issuer: base,
      token_endpoint: `${base}/oauth/token`,
      jwks_uri: `${base}/.well-known/jwks.json`,
      revocation_endpoint: `${base}/oauth/revoke`,
      introspection_endpoint: `${base}/oauth/introspect`,
      grant_types_supported: ['client_credentials', 'refresh_token'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    });
  });

  it('client credentials grant (client_secret_basic), verified by jose against the JWKS', async () => {
    const tokens = await client.grant({ grant_type: 'client_credentials' });
    expect(tokens.token_type).toBe('Bearer');
    expect(tokens.refresh_token).toEqual(expect.any(String));
    const { payload, protectedHeader } = await jwtVerify(
      tokens.access_token as string,
      createRemoteJWKSet(new URL(issuer.metadata.jwks_uri as string)),
      {
        issuer: base,
        audience: base,
        typ: 'at+jwt',
        algorithms: ['ES256'],
      },
    );
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload).toMatchObject({
      client_id: operator.apiKeyId,
      sub: expect.any(String),
      sid: expect.any(String),
    });
    await t.http
      .get('/api-users/me')
      .set(bearer(tokens.access_token as string))
      .expect(200);
  });

  it('client credentials grant with client_secret_post', async () => {
    const postClient = new issuer.Client({
      client_id: operator.apiKeyId,
      client_secret: operator.apiKeySecret,
      token_endpoint_auth_method: 'client_secret_post',
    });
    const tokens = await postClient.grant({ grant_type: 'client_credentials' });
    expect(tokens.access_token).toEqual(expect.any(String));
  });

  it('jose refuses a token checked against another issuer or audience', async () => {
    const tokens = await client.grant({ grant_type: 'client_credentials' });
    const jwks = createRemoteJWKSet(new URL(issuer.metadata.jwks_uri as string));
    await expect(
      jwtVerify(tokens.access_token as string, jwks, { issuer: 'https://elsewhere.example' }),
    ).rejects.toThrow();
    await expect(
      jwtVerify(tokens.access_token as string, jwks, { audience: 'another-api' }),
    ).rejects.toThrow();
  });

  it('refresh grant rotates under the contract rules; a replay is invalid_grant and revokes the session', async () => {
    const first = await client.grant({ grant_type: 'client_credentials' });
    const second = await client.refresh(first.refresh_token as string);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    await t.http
      .get('/api-users/me')
      .set(bearer(second.access_token as string))
      .expect(200);

    const replay = await failure(client.refresh(first.refresh_token as string));
    expect(replay.error).toBe('invalid_grant');
    // The session is gone, as at /auth/token/refresh.
    await t.http
      .get('/api-users/me')
      .set(bearer(second.access_token as string))
      .expect(401);
    expect(
      (await refresh(t.http, second.refresh_token as string).expect(401)).body.error.code,
    ).toBe('session_revoked');
  });

  it('a refresh token issued at /auth/token is refreshed through /oauth/token, and back', async () => {
    const core = (
      await t.http
        .post('/auth/token')
        .send({ api_key_id: operator.apiKeyId, api_key_secret: operator.apiKeySecret })
        .expect(200)
    ).body;
    const viaOAuth = await client.refresh(core.refresh_token);
    const back = await refresh(t.http, viaOAuth.refresh_token as string).expect(200);
    expect(back.body.session_state).toBe(core.session_state);
  });

  it("refuses another client's refresh token without consuming it", async () => {
    const adminClient = new issuer.Client({
      client_id: ADMIN_KEY_ID,
      client_secret: ADMIN_KEY_SECRET,
    });
    const theirs = await client.grant({ grant_type: 'client_credentials' });
    expect((await failure(adminClient.refresh(theirs.refresh_token as string))).error).toBe(
      'invalid_grant',
    );
    await client.refresh(theirs.refresh_token as string);
  });

  it('revocation (RFC 7009) revokes the session; unknown tokens answer 200', async () => {
    const tokens = await client.grant({ grant_type: 'client_credentials' });
    await client.revoke(tokens.refresh_token as string, 'refresh_token');
    await t.http
      .get('/api-users/me')
      .set(bearer(tokens.access_token as string))
      .expect(401);
    await client.revoke('an-unknown-token');
    const byAccessToken = await client.grant({ grant_type: 'client_credentials' });
    await client.revoke(byAccessToken.access_token as string, 'access_token');
    expect((await failure(client.refresh(byAccessToken.refresh_token as string))).error).toBe(
      'invalid_grant',
    );
  });

  it('introspection (RFC 7662): active tokens describe themselves; revoked, used and unknown ones are inactive', async () => {
    const tokens = await client.grant({ grant_type: 'client_credentials' });
    const access = await client.introspect(tokens.access_token as string);
    expect(access).toMatchObject({
      active: true,
      client_id: operator.apiKeyId,
      token_type: 'Bearer',
      sid: expect.any(String),
      sub: expect.any(String),
      exp: expect.any(Number),
      iat: expect.any(Number),
    });
    const refreshInfo = await client.introspect(tokens.refresh_token as string);
    expect(refreshInfo).toMatchObject({
      active: true,
      token_type: 'refresh_token',
      sid: access.sid,
      client_id: operator.apiKeyId,
    });

    const rotated = await client.refresh(tokens.refresh_token as string);
    expect(await client.introspect(tokens.refresh_token as string)).toEqual({ active: false });
    await t.http
      .delete(`/sessions/${access.sid as string}`)
      .set(bearer(rotated.access_token as string))
      .expect(204);
    expect(await client.introspect(tokens.access_token as string)).toEqual({ active: false });
    expect(await client.introspect('not-a-token')).toEqual({ active: false });
  });

  it("introspection is authorised: an operator's client learns nothing of another client's tokens; the issuing client and admins do", async () => {
    const admin = await adminTokens(t.http);
    const adminClient = new issuer.Client({
      client_id: ADMIN_KEY_ID,
      client_secret: ADMIN_KEY_SECRET,
    });
    // A second key of the same operator is another client: only the issuing key may look.
    const otherOperator = await registeredUser(t.http, admin.access_token);
    const otherClient = new issuer.Client({
      client_id: otherOperator.apiKeyId,
      client_secret: otherOperator.apiKeySecret,
    });
    const operatorTokens = await client.grant({ grant_type: 'client_credentials' });

    for (const token of [admin.access_token, admin.refresh_token]) {
      expect(await client.introspect(token)).toEqual({ active: false });
    }
    for (const token of [operatorTokens.access_token, operatorTokens.refresh_token]) {
      expect(await otherClient.introspect(token as string)).toEqual({ active: false });
      expect(await adminClient.introspect(token as string)).toMatchObject({
        active: true,
        client_id: operator.apiKeyId,
      });
      expect(await client.introspect(token as string)).toMatchObject({ active: true });
    }
    // The refresh token answered inactive to others is still live: introspection consumed nothing.
    expect((await client.refresh(operatorTokens.refresh_token as string)).access_token).toEqual(
      expect.any(String),
    );
    expect(await adminClient.introspect(admin.refresh_token)).toMatchObject({
      active: true,
      sub: expect.any(String),
    });
  });

  describe('errors per RFC 6749 §5.2', () => {
    const form = (body: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(`${base}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(body),
      });
    const basic = (id: string, secret: string) => ({
      authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
    });

    it('invalid_client is 401 with WWW-Authenticate, and no-store', async () => {
      const wrong = new issuer.Client({
        client_id: operator.apiKeyId,
        client_secret: 'wrong-secret',
      });
      expect((await failure(wrong.grant({ grant_type: 'client_credentials' }))).error).toBe(
        'invalid_client',
      );
      const response = await form(
        { grant_type: 'client_credentials' },
        basic(operator.apiKeyId, 'wrong-secret'),
      );
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic/);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({
        error: 'invalid_client',
        error_description: expect.any(String),
      });
      expect((await form({ grant_type: 'client_credentials' })).status).toBe(401);
    });

    it('unsupported_grant_type, invalid_request and invalid_grant are 400', async () => {
      const auth = basic(operator.apiKeyId, operator.apiKeySecret);
      expect(
        await (await form({ grant_type: 'password', username: 'a', password: 'b' }, auth)).json(),
      ).toMatchObject({ error: 'unsupported_grant_type' });
      expect(await (await form({ grant_type: 'refresh_token' }, auth)).json()).toMatchObject({
        error: 'invalid_request',
      });
      expect(await (await form({}, auth)).json()).toMatchObject({ error: 'invalid_request' });
      const both = await form(
        {
          grant_type: 'client_credentials',
          client_id: operator.apiKeyId,
          client_secret: operator.apiKeySecret,
        },
        auth,
      );
      expect(both.status).toBe(400);
      const unknown = await form(
        { grant_type: 'refresh_token', refresh_token: 'A'.repeat(43) },
        auth,
      );
      expect(unknown.status).toBe(400);
      expect(await unknown.json()).toMatchObject({ error: 'invalid_grant' });
      const json = await fetch(`${base}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: '{"grant_type":"client_credentials"}',
      });
      expect(json.status).toBe(400);
      expect(await json.json()).toMatchObject({ error: 'invalid_request' });
    });

    it('ignores unknown parameters and answers token responses with no-store', async () => {
      const response = await form(
        { grant_type: 'client_credentials', audience: 'whatever', scope: 'read' },
        basic(operator.apiKeyId, operator.apiKeySecret),
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      // A key without scopes grants the scope asked for (no API_SCOPES: any name), and says so.
      const body = (await response.json()) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual([
        'access_token',
        'expires_in',
        'refresh_token',
        'scope',
        'token_type',
      ]);
      expect(body.scope).toBe('read');
    });
  });
});

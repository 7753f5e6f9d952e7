import { RequestMethod } from '@nestjs/common';
import type { Response } from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app';
import { adminTokens, bearer, exchange, registeredUser, uniqueName } from '../support/factories';
import { listRouteAccess } from '../support/routes';

/** Body fields that carry a secret: a response with any of them must not be stored. */
const SECRET_FIELDS = [
  'registration_token',
  'api_key_secret',
  'client_secret',
  'access_token',
  'refresh_token',
  'jwtToken',
  'accessToken',
  'refreshToken',
  'walletToken',
];

function carriesSecret(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  return Object.entries(body).some(
    ([key, value]) => SECRET_FIELDS.includes(key) || carriesSecret(value),
  );
}

function expectHardened(response: Response, what: string): void {
  expect({ what, nosniff: response.headers['x-content-type-options'] }).toEqual({
    what,
    nosniff: 'nosniff',
  });
  expect({ what, csp: response.headers['content-security-policy'] }).toEqual({
    what,
    csp: "frame-ancestors 'none'",
  });
}

describe('Response headers', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.dispose());

  it('every route answers with nosniff and frame-ancestors; every response carrying a secret with no-store', async () => {
    const http = t.http;
    const admin = await adminTokens(http);
    const auth = bearer(admin.access_token);
    const operator = await registeredUser(http, admin.access_token);
    const operatorTokens = await exchange(http, operator.apiKeyId, operator.apiKeySecret);
    const client = await http
      .post('/clients')
      .set(auth)
      .send({ name: uniqueName('c') })
      .expect(201);
    const pending = await http
      .post('/api-users')
      .set(auth)
      .send({ name: uniqueName(), role: 'operator' })
      .expect(201);
    const basic = `Basic ${Buffer.from(`${operator.apiKeyId}:${operator.apiKeySecret}`).toString('base64')}`;
    const fresh = () => exchange(http, operator.apiKeyId, operator.apiKeySecret);
    const wallet = await http
      .post('/api/v2/wallet/refresh')
      .set('x-client-secret', client.body.client_secret)
      .send({ refreshToken: (await fresh()).refresh_token })
      .expect(200);

    const M = RequestMethod;
    const requests: Record<string, () => Promise<Response>> = {
      [`${M.POST} /auth/token`]: () =>
        http
          .post('/auth/token')
          .send({ api_key_id: operator.apiKeyId, api_key_secret: operator.apiKeySecret }),
      [`${M.POST} /auth/token/refresh`]: async () =>
        http.post('/auth/token/refresh').send({ refresh_token: (await fresh()).refresh_token }),
      [`${M.POST} /auth/logout`]: async () =>
        http.post('/auth/logout').set(bearer((await fresh()).access_token)),
      [`${M.GET} /api-users`]: () => http.get('/api-users').set(auth),
      [`${M.POST} /api-users`]: () =>
        http.post('/api-users').set(auth).send({ name: uniqueName(), role: 'operator' }),
      [`${M.GET} /api-users/me`]: () => http.get('/api-users/me').set(auth),
      [`${M.POST} /api-users/register`]: async () =>
        http.post('/api-users/register').send({
          registration_token: (
            await http.post('/api-users').set(auth).send({ name: uniqueName(), role: 'operator' })
          ).body.registration_token,
        }),
      [`${M.POST} /api-users/:id/registration-token`]: () =>
        http.post(`/api-users/${pending.body.id}/registration-token`).set(auth),
      [`${M.GET} /api-users/:id`]: () => http.get(`/api-users/${operator.apiUserId}`).set(auth),
      [`${M.PATCH} /api-users/:id`]: () =>
        http.patch(`/api-users/${operator.apiUserId}`).set(auth).send({ status: 'active' }),
      [`${M.POST} /api-users/:id/api-keys`]: () =>
        http.post(`/api-users/${operator.apiUserId}/api-keys`).set(auth),
      [`${M.GET} /api-users/:id/api-keys`]: () =>
        http.get(`/api-users/${operator.apiUserId}/api-keys`).set(auth),
      [`${M.POST} /api-users/:id/api-keys/:api_key_id/rotate`]: async () => {
        const key = await http.post(`/api-users/${operator.apiUserId}/api-keys`).set(auth);
        return http
          .post(`/api-users/${operator.apiUserId}/api-keys/${key.body.api_key_id}/rotate`)
          .set(auth);
      },
      [`${M.DELETE} /api-users/:id/api-keys/:api_key_id`]: async () => {
        const key = await http.post(`/api-users/${operator.apiUserId}/api-keys`).set(auth);
        return http
          .delete(`/api-users/${operator.apiUserId}/api-keys/${key.body.api_key_id}`)
          .set(auth);
      },
      [`${M.GET} /api-users/:id/history`]: () =>
        http.get(`/api-users/${operator.apiUserId}/history`).set(auth),
      [`${M.GET} /sessions`]: () => http.get('/sessions').set(auth),
      [`${M.DELETE} /sessions/:id`]: async () =>
        http.delete(`/sessions/${(await fresh()).session_state}`).set(auth),
      [`${M.POST} /clients`]: () =>
        http
          .post('/clients')
          .set(auth)
          .send({ name: uniqueName('c') }),
      [`${M.GET} /clients`]: () => http.get('/clients').set(auth),
      [`${M.DELETE} /clients/:client_id`]: async () =>
        http
          .delete(
            `/clients/${
              (
                await http
                  .post('/clients')
                  .set(auth)
                  .send({ name: uniqueName('c') })
              ).body.client_id
            }`,
          )
          .set(auth),
      [`${M.GET} /.well-known/jwks.json`]: () => http.get('/.well-known/jwks.json'),
      [`${M.GET} /.well-known/oauth-authorization-server`]: () =>
        http.get('/.well-known/oauth-authorization-server'),
      [`${M.POST} /oauth/token`]: () =>
        http
          .post('/oauth/token')
          .set('authorization', basic)
          .type('form')
          .send({ grant_type: 'client_credentials' }),
      [`${M.POST} /oauth/revoke`]: async () =>
        http
          .post('/oauth/revoke')
          .set('authorization', basic)
          .type('form')
          .send({ token: (await fresh()).refresh_token }),
      [`${M.POST} /oauth/introspect`]: () =>
        http
          .post('/oauth/introspect')
          .set('authorization', basic)
          .type('form')
          .send({ token: operatorTokens.access_token }),
      [`${M.POST} /api/v1/authenticate/refresh`]: async () =>
        http
          .post('/api/v1/authenticate/refresh')
          .send({ refreshToken: (await fresh()).refresh_token }),
      [`${M.POST} /api/login/refresh-token`]: async () =>
        http.post('/api/login/refresh-token').send({ refreshToken: (await fresh()).refresh_token }),
      [`${M.POST} /api/v2/wallet/refresh`]: async () =>
        http
          .post('/api/v2/wallet/refresh')
          .set('x-client-secret', client.body.client_secret)
          .send({ refreshToken: (await fresh()).refresh_token }),
      [`${M.POST} /api/v2/wallet/operation`]: () =>
        http.post('/api/v2/wallet/operation').set(bearer(wallet.body.data.walletToken)),
      [`${M.GET} /health`]: () => http.get('/health'),
      [`${M.GET} /health/live`]: () => http.get('/health/live'),
      [`${M.GET} /health/ready`]: () => http.get('/health/ready'),
      [`${M.GET} /metrics`]: () => http.get('/metrics'),
      [`${M.GET} /keys`]: () => http.get('/keys').set(auth),
      [`${M.POST} /keys/rotate`]: () => http.post('/keys/rotate').set(auth),
      // The `next` key: revoking it withdraws nothing that signs.
      [`${M.POST} /keys/:kid/revoke`]: async () => {
        const { keys } = (await http.get('/keys').set(auth)).body as {
          keys: { kid: string; status: string }[];
        };
        const next = keys.find((key) => key.status === 'next');
        return http.post(`/keys/${next?.kid}/revoke`).set(auth);
      },
    };

    // A new route without a request here fails the test, so none escapes the check.
    const routes = listRouteAccess(t.app).map(({ route }) => route.replace(/(.)\/$/, '$1'));
    expect(Object.keys(requests).sort()).toEqual([...new Set(routes)].sort());

    const secretBearing: string[] = [];
    for (const [route, send] of Object.entries(requests)) {
      const response = await send();
      expect({ route, ok: response.status < 300 }).toEqual({ route, ok: true });
      expectHardened(response, route);
      if (carriesSecret(response.body)) {
        secretBearing.push(route);
        expect({ route, cache: response.headers['cache-control'] }).toEqual({
          route,
          cache: 'no-store',
        });
      }
    }
    // The secret-bearing responses were really among those checked.
    expect(secretBearing).toEqual(
      expect.arrayContaining([
        `${M.POST} /api-users`,
        `${M.POST} /api-users/register`,
        `${M.POST} /api-users/:id/registration-token`,
        `${M.POST} /api-users/:id/api-keys`,
        `${M.POST} /api-users/:id/api-keys/:api_key_id/rotate`,
        `${M.POST} /clients`,
        `${M.POST} /auth/token`,
        `${M.POST} /api/v2/wallet/refresh`,
      ]),
    );
  });

  it('errors, unknown paths, unparsable bodies and the docs carry nosniff and frame-ancestors too', async () => {
    const responses: Array<[string, Response]> = [
      ['404', await t.http.get('/no-such-path').expect(404)],
      ['401', await t.http.get('/api-users/me').expect(401)],
      [
        'bad JSON',
        await t.http
          .post('/auth/token')
          .set('Content-Type', 'application/json')
          .send('{"x":')
          .expect(400),
      ],
      ['415', await t.http.post('/auth/token').set('Content-Type', 'text/plain').send('x')],
      ['/docs', await t.http.get('/docs').expect(200)],
      ['/docs-json', await t.http.get('/docs-json').expect(200)],
    ];
    for (const [what, response] of responses) expectHardened(response, what);
  });

  it('sends Strict-Transport-Security only when the issuer is https', async () => {
    // The test issuer is https.
    expect((await t.http.get('/health')).headers['strict-transport-security']).toBe(
      'max-age=31536000',
    );
    const plain = await startTestApp({ env: { ISSUER_URL: 'http://localhost:3000' } });
    try {
      const response = await plain.http.get('/health');
      expect(response.headers['strict-transport-security']).toBeUndefined();
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    } finally {
      await plain.dispose();
    }
  });

  it('Swagger UI does not persist authorizations in the browser', async () => {
    const init = await t.http.get('/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toMatch(/"persistAuthorization":\s*false/);
    expect(init.text).not.toMatch(/"persistAuthorization":\s*true/);
  });

  it('DOCS_ENABLED=false makes /docs and /docs-json 404', async () => {
    const off = await startTestApp({ env: { DOCS_ENABLED: 'false' } });
    try {
      for (const path of ['/docs', '/docs-json', '/docs/swagger-ui-init.js']) {
        const response = await off.http.get(path).expect(404);
        expect(response.body.error.code).toBe('not_found');
        expectHardened(response, path);
      }
      await off.http.get('/health').expect(200);
    } finally {
      await off.dispose();
    }
  });
});

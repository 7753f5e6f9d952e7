import { Controller, Get } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { ADMIN_KEY_SECRET, startTestApp, type TestApp } from '../support/test-app';
import { adminTokens, bearer, exchange, registeredUser, uniqueName } from '../support/factories';
import { listRouteAccess, routeAccessOf } from '../support/routes';
import { Authenticated, Public } from '../../libs/auth/src';
import { buildOpenApiDocument } from '../../src/swagger';

describe('Security invariants', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.dispose());

  describe('every route is explicitly public or guarded', () => {
    it('by its decorators', () => {
      const routes = listRouteAccess(t.app);
      expect(routes.length).toBeGreaterThanOrEqual(15);
      expect(routes.filter((route) => route.access === 'unmarked')).toEqual([]);
    });

    it('and the check does catch an unmarked route', () => {
      @Controller('probe')
      class ProbeController {
        @Get('open') @Public() open() {}
        @Get('closed') @Authenticated() closed() {}
        @Get('forgotten') forgotten() {}
      }
      expect(routeAccessOf(ProbeController)).toEqual([
        { route: '0 /probe/open', access: 'public' },
        { route: '0 /probe/closed', access: 'guarded' },
        { route: '0 /probe/forgotten', access: 'unmarked' },
      ]);
    });

    it('by behaviour: every operation the document marks as secured answers 401 without a token', async () => {
      const document = buildOpenApiDocument(t.app);
      let secured = 0;
      for (const [path, item] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(
          item as Record<string, { security?: unknown[] }>,
        )) {
          // Bearer-token routes (access or wallet token); the Basic-authenticated OAuth
          // endpoints answer invalid_client instead, as the OAuth suite checks.
          const schemes = (operation.security ?? []).flatMap((requirement) =>
            Object.keys(requirement as object),
          );
          if (!schemes.some((scheme) => scheme === 'bearer' || scheme === 'wallet-token')) continue;
          secured += 1;
          const url = path.replace(/\{[^}]+\}/g, (name) =>
            name === '{id}' ? '00000000-0000-7000-8000-000000000000' : 'AAAAAAAAAAAAAAAAAAAAAA',
          );
          const response = await (
            t.http as unknown as Record<
              string,
              (url: string) => Promise<{ status: number; body: unknown }>
            >
          )[method](url);
          expect({ route: `${method} ${path}`, status: response.status }).toEqual({
            route: `${method} ${path}`,
            status: 401,
          });
        }
      }
      expect(secured).toBeGreaterThanOrEqual(12);
    });
  });

  it('stores no raw secret or token anywhere in the database', async () => {
    const secrets: string[] = [ADMIN_KEY_SECRET];
    const admin = await adminTokens(t.http);
    secrets.push(admin.refresh_token, admin.access_token);
    const created = await t.http
      .post('/api-users')
      .set(bearer(admin.access_token))
      .send({ name: uniqueName(), role: 'operator' })
      .expect(201);
    secrets.push(created.body.registration_token);
    const registered = await t.http
      .post('/api-users/register')
      .send({ registration_token: created.body.registration_token })
      .expect(201);
    secrets.push(registered.body.api_key_secret);
    const tokens = await exchange(
      t.http,
      registered.body.api_key_id,
      registered.body.api_key_secret,
    );
    secrets.push(tokens.refresh_token, tokens.access_token);
    const extraKey = await t.http
      .post(`/api-users/${registered.body.api_user_id}/api-keys`)
      .set(bearer(tokens.access_token))
      .expect(201);
    secrets.push(extraKey.body.api_key_secret);
    const client = await t.http
      .post('/clients')
      .set(bearer(admin.access_token))
      .send({ name: uniqueName('client') })
      .expect(201);
    secrets.push(client.body.client_secret);
    await t.http
      .post('/auth/token')
      .send({ api_key_id: registered.body.api_key_id, api_key_secret: 'wrong-secret-attempt' })
      .expect(401);
    secrets.push('wrong-secret-attempt');
    await registeredUser(t.http, admin.access_token);

    const tables = [
      'api_users',
      'api_keys',
      'clients',
      'sessions',
      'refresh_tokens',
      'signing_keys',
      'audit_events',
    ];
    const dump = (
      await Promise.all(tables.map((table) => t.dataSource.query(`SELECT * FROM ${table}`)))
    )
      .map((rows) => JSON.stringify(rows))
      .join('\n');
    for (const secret of secrets) {
      expect(dump.includes(secret)).toBe(false);
    }
    // The dump is the real thing: the hashes of those secrets are there.
    const sha = (value: string) => createHash('sha256').update(value).digest('hex');
    // A refresh token's key is its issue instant followed by its SHA-256 (refresh-token-key.ts).
    expect(dump).toContain(createHash('sha256').update(tokens.refresh_token).digest('base64url'));
    expect(dump).toContain(sha(registered.body.api_key_secret));
    expect(dump).toContain(sha(client.body.client_secret));
  });

  it('publishes no private key material', async () => {
    const jwks = await t.http.get('/.well-known/jwks.json').expect(200);
    for (const key of jwks.body.keys) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    }
  });
});

import { type INestApplication, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AUTH_MIGRATIONS, AuthModule } from '@keyring/nest-auth';
import { securityOf, undefinedSecuritySchemes, unresolvedRefs } from '../support/openapi-integrity';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { bearer, type TokenPair } from '../support/factories';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { AppModule as ExpressHostModule } from './express-host/app.module';
import {
  ADMIN,
  HOST_KEY_ENCRYPTION_SECRET,
  hostDocument,
  ISSUER,
  startExpressHost,
  tokensFor,
} from './host-support';
import { createFastifyHostModule } from './fastify-host/app.module';

/** The flow every host must support through HTTP: tokens, the host's guarded routes, refresh, reuse. */
async function fullFlow(http: TestAgent, hostRoute: string, prefix = ''): Promise<void> {
  const admin = (
    await http
      .post(`${prefix}/auth/token`)
      .send({ api_key_id: ADMIN.apiKeyId, api_key_secret: ADMIN.apiKeySecret })
      .expect(200)
  ).body as TokenPair;
  const created = await http
    .post(`${prefix}/api-users`)
    .set(bearer(admin.access_token))
    .send({ name: 'host-operator', role: 'operator' })
    .expect(201);
  const key = (
    await http
      .post(`${prefix}/api-users/register`)
      .send({ registration_token: created.body.registration_token })
      .expect(201)
  ).body;
  const tokens = (
    await http
      .post(`${prefix}/auth/token`)
      .send({ api_key_id: key.api_key_id, api_key_secret: key.api_key_secret })
      .expect(200)
  ).body as TokenPair;

  // The host's own route, behind the library's guard.
  await http.get(hostRoute).expect(401);
  await http.get(hostRoute).set(bearer(tokens.access_token)).expect(200);

  // Rotation, then reuse: the session is revoked and the host route refuses its tokens.
  const second = (
    await http
      .post(`${prefix}/auth/token/refresh`)
      .send({ refresh_token: tokens.refresh_token })
      .expect(200)
  ).body as TokenPair;
  expect(second.session_state).toBe(tokens.session_state);
  await http.get(hostRoute).set(bearer(second.access_token)).expect(200);
  const reuse = await http
    .post(`${prefix}/auth/token/refresh`)
    .send({ refresh_token: tokens.refresh_token })
    .expect(401);
  expect(reuse.body).toEqual({
    error: { code: 'refresh_token_reused', message: expect.any(String), target: 'refresh_token' },
  });
  await http.get(hostRoute).set(bearer(second.access_token)).expect(401);

  // The library's validation and error bodies hold without any global set-up by the host.
  const invalid = await http.post(`${prefix}/auth/token`).send({ api_key_id: 1 }).expect(400);
  expect(invalid.body.error.code).toBe('validation_failed');
  expect(invalid.body.error.details.length).toBeGreaterThan(0);

  // Deeply nested JSON is refused by the library's body guard under this host's adapter too,
  // before class-transformer could overflow the stack on it.
  const deep = '{"a":'.repeat(3000) + '1' + '}'.repeat(3000);
  const nested = await http
    .post(`${prefix}/auth/token/refresh`)
    .set('Content-Type', 'application/json')
    .send(deep)
    .expect(400);
  expect(nested.body.error).toMatchObject({ code: 'validation_failed' });
  expect(nested.body.error.message).toMatch(/nested deeper than 32/);
  // Secret-bearing answers are never stored, whatever the host's adapter.
  expect(created.headers['cache-control']).toBe('no-store');
}

describe('Fixture host on Express (forRootAsync, autoLoadEntities, ConfigService)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let http: TestAgent;

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    Object.assign(process.env, {
      DATABASE_PATH: db.env.DATABASE_PATH,
      ISSUER_URL: ISSUER,
      ADMIN_KEY_ID: ADMIN.apiKeyId,
      ADMIN_KEY_SECRET: ADMIN.apiKeySecret,
      KEY_ENCRYPTION_SECRET: HOST_KEY_ENCRYPTION_SECRET,
    });
    ({ app, http } = await startExpressHost(ExpressHostModule));
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('runs the full token, refresh and reuse flow through HTTP', async () => {
    await fullFlow(http, '/reports');
  });

  it("keeps the host's public routes open and mounts only the chosen profiles", async () => {
    await http.get('/reports/status').expect(200, { up: true });
    await http
      .post('/api/login/refresh-token')
      .send({ refreshToken: 'A'.repeat(43) })
      .expect(401, { code: '401', response: 'RefreshToken Invalid' });
    await http.post('/api/v1/authenticate/refresh').send({ refreshToken: 'x' }).expect(404);
  });

  it("documents the host's routes with the library's security schemes", async () => {
    await http.get('/reports/summary').expect(401);
    const document = hostDocument(app);
    expect(unresolvedRefs(document)).toEqual([]);
    expect(undefinedSecuritySchemes(document)).toEqual([]);
    // Guarded by the global guard alone, and documented so; public routes are not.
    expect(securityOf(document, '/reports/summary', 'get')).toEqual([{ bearer: [] }]);
    expect(securityOf(document, '/reports', 'get')).toEqual([{ bearer: [] }]);
    expect(securityOf(document, '/reports/status', 'get')).toBeUndefined();
    expect(securityOf(document, '/auth/token', 'post')).toBeUndefined();
    expect(securityOf(document, '/oauth/token', 'post')).toEqual([{ basic: [] }]);
  });

  it('loads the built package, not the sources', () => {
    expect(require.resolve('@keyring/nest-auth')).toMatch(
      /test\/hosts\/node_modules\/@keyring\/nest-auth\/dist\/index\.js$/,
    );
  });
});

describe('Fixture host on Fastify (forRoot, entities listed explicitly)', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let http: TestAgent;

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    const module = createFastifyHostModule({
      databasePath: db.env.DATABASE_PATH,
      issuer: ISSUER,
      admin: ADMIN,
      keyEncryptionSecret: HOST_KEY_ENCRYPTION_SECRET,
    });
    app = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), {
      logger: false,
      abortOnError: false,
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    http = request(app.getHttpServer());
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('runs the full token, refresh and reuse flow through HTTP', async () => {
    await fullFlow(http, '/inventory', '/identity');
    // Under the prefix only: the unprefixed path is not the library's.
    await http.post('/auth/token').send({}).expect(404);
  });

  it("enforces roles on the host's routes and mounts no profile", async () => {
    const admin = await tokensFor(http, ADMIN, '/identity');
    await http.post('/inventory/admin-only').set(bearer(admin.access_token)).expect(201);
    await http.get('/inventory/health').expect(200);
    await http.post('/api/login/refresh-token').send({ refreshToken: 'x' }).expect(404);
  });

  it('issues tokens for a principal the host authenticated itself', async () => {
    const tokens = (
      await http.post('/inventory/sso-login').send({ apiKeyId: ADMIN.apiKeyId }).expect(201)
    ).body;
    expect(tokens).toEqual({
      accessToken: expect.any(String),
      expiresIn: 300,
      refreshToken: expect.any(String),
      scope: null,
      sessionId: expect.any(String),
    });
    const listed = await http.get('/inventory').set(bearer(tokens.accessToken)).expect(200);
    expect(listed.body.session).toBe(tokens.sessionId);
    await http
      .post('/identity/auth/token/refresh')
      .send({ refresh_token: tokens.refreshToken })
      .expect(200);
  });
});

describe('Fixture host that mounts only the token endpoints (adminApi, clientsApi, oauth: false)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let http: TestAgent;

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    @Module({
      imports: [
        TypeOrmModule.forRoot({
          type: 'better-sqlite3',
          database: db.env.DATABASE_PATH,
          autoLoadEntities: true,
          migrations: AUTH_MIGRATIONS.sqlite,
          migrationsRun: true,
        }),
        AuthModule.forRoot({
          issuer: ISSUER,
          bootstrapAdmin: ADMIN,
          keyEncryptionSecret: HOST_KEY_ENCRYPTION_SECRET,
          adminApi: false,
          clientsApi: false,
          oauth: false,
          profiles: [],
        }),
      ],
    })
    class TokenOnlyHostModule {}
    ({ app, http } = await startExpressHost(TokenOnlyHostModule));
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('serves the token endpoints, sessions and JWKS', async () => {
    const admin = await tokensFor(http, ADMIN);
    await http.post('/auth/token/refresh').send({ refresh_token: admin.refresh_token }).expect(200);
    await http.get('/sessions').set(bearer(admin.access_token)).expect(200);
    await http.get('/.well-known/jwks.json').expect(200);
  });

  it('mounts none of the routes it was told to leave out', async () => {
    const admin = await tokensFor(http, ADMIN);
    for (const [method, path] of [
      ['get', '/api-users'],
      ['post', '/api-users/register'],
      ['get', '/keys'],
      ['get', '/clients'],
      ['post', '/oauth/token'],
      ['get', '/.well-known/oauth-authorization-server'],
    ] as const) {
      await http[method](path).set(bearer(admin.access_token)).expect(404);
    }
  });
});

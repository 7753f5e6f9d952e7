import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { Test, TestingModule } from '@nestjs/testing';
import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import request from 'supertest';
import { App } from 'supertest/types';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module';

interface Tokens {
  access_token: string;
  refresh_token: string;
  session_state: string;
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('Nest 11 CommonJS host with @keyring/nest-auth (e2e)', () => {
  let app: INestApplication<App>;
  let admin: Tokens;
  let operator: Tokens;

  beforeAll(async () => {
    const moduleFixture: TestingModule = await Test.createTestingModule({
      imports: [AppModule],
    }).compile();

    app = moduleFixture.createNestApplication();
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    // The database file test/setup-env.ts made for this file.
    rmSync(dirname(process.env.DATABASE_PATH!), { recursive: true, force: true });
  });

  it('issues tokens to the bootstrap admin and to a registered operator, and rotates refresh tokens', async () => {
    const http = request(app.getHttpServer());
    admin = (
      await http
        .post('/auth/token')
        .send({
          api_key_id: process.env.ADMIN_KEY_ID,
          api_key_secret: process.env.ADMIN_KEY_SECRET,
        })
        .expect(200)
    ).body as Tokens;

    const created = await http
      .post('/api-users')
      .set(bearer(admin.access_token))
      .send({ name: 'nest11-operator', role: 'operator' })
      .expect(201);
    const key = (
      await http
        .post('/api-users/register')
        .send({ registration_token: created.body.registration_token })
        .expect(201)
    ).body as { api_key_id: string; api_key_secret: string };
    const first = (
      await http
        .post('/auth/token')
        .send({ api_key_id: key.api_key_id, api_key_secret: key.api_key_secret })
        .expect(200)
    ).body as Tokens;

    operator = (
      await http
        .post('/auth/token/refresh')
        .send({ refresh_token: first.refresh_token })
        .expect(200)
    ).body as Tokens;
    expect(operator.session_state).toBe(first.session_state);
    expect(operator.refresh_token).not.toBe(first.refresh_token);

    // Reusing the rotated refresh token is refused, and revokes the whole session.
    const reuse = await http
      .post('/auth/token/refresh')
      .send({ refresh_token: first.refresh_token })
      .expect(401);
    expect(reuse.body.error.code).toBe('refresh_token_reused');
    await http.get('/me').set(bearer(operator.access_token)).expect(401);

    // A fresh session for the guarding checks.
    operator = (
      await http
        .post('/auth/token')
        .send({ api_key_id: key.api_key_id, api_key_secret: key.api_key_secret })
        .expect(200)
    ).body as Tokens;
  });

  it('guards only the routes that opt in', async () => {
    const http = request(app.getHttpServer());
    await http.get('/').expect(200).expect('Hello World!');

    await http.get('/me').expect(401);
    const me = await http.get('/me').set(bearer(operator.access_token)).expect(200);
    expect(me.body).toMatchObject({ role: 'operator', sessionId: operator.session_state });

    await http.get('/admin/stats').expect(401);
    await http.get('/admin/stats').set(bearer(operator.access_token)).expect(403);
    await http.get('/admin/stats').set(bearer(admin.access_token)).expect(200, { ok: true });
  });

  it('guards a feature module that applies BearerAuthGuard by hand', async () => {
    const http = request(app.getHttpServer());
    await http.get('/customers').expect(401);
    const listed = await http.get('/customers').set(bearer(operator.access_token)).expect(200);
    expect(listed.body).toEqual({
      clients: [expect.objectContaining({ id: 1, company: 'Acme Corp', vatNumber: 'DE123456789' })],
      webSessions: 1,
    });
  });

  it("keeps the host's own clients and sessions tables, and puts the library's under auth_", async () => {
    const db = app.get(DataSource);
    expect(await db.query('SELECT "company", "vat_number" FROM "clients"')).toEqual([
      { company: 'Acme Corp', vat_number: 'DE123456789' },
    ]);
    expect(await db.query('SELECT "sid", "data" FROM "sessions"')).toEqual([
      { sid: 'host-web-session-1', data: '{"cart":[42]}' },
    ]);

    const tables = (
      (await db.query(
        `SELECT "name" FROM "sqlite_master" WHERE "type" = 'table' AND "name" NOT LIKE 'sqlite_%'`,
      )) as { name: string }[]
    ).map((row) => row.name);
    const libraryTables = tables.filter((name) => name.startsWith('auth_'));
    expect(libraryTables).toEqual(
      expect.arrayContaining(['auth_api_users', 'auth_api_keys', 'auth_sessions', 'auth_clients']),
    );
    // Nothing else but the host's two tables and TypeORM's migrations table.
    expect(tables.filter((name) => !name.startsWith('auth_')).sort()).toEqual([
      'clients',
      'migrations',
      'sessions',
    ]);
    // The library's sessions live in its own table: the operator's session is there.
    const [session] = (await db.query('SELECT "id" FROM "auth_sessions" WHERE "id" = ?', [
      operator.session_state,
    ])) as { id: string }[];
    expect(session).toEqual({ id: operator.session_state });
  });

  it("documents the library's routes and the host's guarded ones in the host's OpenAPI document", () => {
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder().setTitle('host').addBearerAuth().build(),
    );
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/', '/me', '/admin/stats', '/auth/token', '/auth/token/refresh']),
    );
    expect(document.paths['/me'].get?.security).toEqual([{ bearer: [] }]);
    expect(document.paths['/'].get?.security).toBeUndefined();
    // The library's DTOs carry their properties (its build runs the Swagger compiler plugin).
    expect(document.components?.schemas?.TokenRequestDto).toMatchObject({
      required: ['api_key_id', 'api_key_secret'],
    });
  });
});

import type { INestApplication } from '@nestjs/common';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { bearer, type TokenPair } from '../support/factories';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createOptInHostModule, HOST_TABLE_PREFIX } from './opt-in-host/app.module';
import {
  ADMIN,
  HOST_KEY_ENCRYPTION_SECRET,
  hostDocument,
  ISSUER,
  startExpressHost,
  tokensFor,
} from './host-support';
import { securityOf, undefinedSecuritySchemes, unresolvedRefs } from '../support/openapi-integrity';

// A file of its own: the table prefix is process-wide (see applyAuthTablePrefix), and jest
// gives each test file its own module registry.

describe.each(['sqlite', 'postgres'] as const)(
  'Fixture host that opts out of the global guard and has its own clients and sessions tables (%s)',
  (kind) => {
    let db: TestDatabase;
    let app: INestApplication;
    let http: TestAgent;
    let admin: TokenPair;
    let operator: TokenPair;

    beforeAll(async () => {
      db = await createTestDatabase(kind);
      const module = createOptInHostModule({
        database:
          kind === 'sqlite'
            ? { type: 'sqlite', path: db.env.DATABASE_PATH }
            : { type: 'postgres', url: db.env.DATABASE_URL },
        issuer: ISSUER,
        admin: ADMIN,
        keyEncryptionSecret: HOST_KEY_ENCRYPTION_SECRET,
      });
      ({ app, http } = await startExpressHost(module));
      admin = await tokensFor(http, ADMIN);
      const created = await http
        .post('/api-users')
        .set(bearer(admin.access_token))
        .send({ name: 'opt-in-operator', role: 'operator' })
        .expect(201);
      const key = (
        await http
          .post('/api-users/register')
          .send({ registration_token: created.body.registration_token })
          .expect(201)
      ).body;
      operator = (
        await http
          .post('/auth/token')
          .send({ api_key_id: key.api_key_id, api_key_secret: key.api_key_secret })
          .expect(200)
      ).body as TokenPair;
    });
    afterAll(async () => {
      await app.close();
      await db.drop();
    });

    it('leaves undecorated host routes open', async () => {
      await http.get('/catalog/open').expect(200, { open: true });
    });

    it('documents only the marked routes as guarded', () => {
      const document = hostDocument(app);
      expect(unresolvedRefs(document)).toEqual([]);
      expect(undefinedSecuritySchemes(document)).toEqual([]);
      expect(securityOf(document, '/catalog/open', 'get')).toBeUndefined();
      expect(securityOf(document, '/catalog/mine', 'get')).toEqual([{ bearer: [] }]);
      expect(securityOf(document, '/catalog/admin', 'get')).toEqual([{ bearer: [] }]);
      // A scoped route: the OAuth client-credentials scheme with the scopes the host declared.
      expect(securityOf(document, '/catalog/reports', 'get')).toEqual([
        { oauth2: ['reports:read'] },
      ]);
      expect(document.components?.securitySchemes?.oauth2).toEqual({
        type: 'oauth2',
        description: expect.any(String),
        flows: {
          clientCredentials: {
            tokenUrl: '/oauth/token',
            scopes: { 'reports:read': 'Read reports', 'reports:write': 'Write reports' },
          },
        },
      });
      expect(JSON.stringify(document)).not.toContain('x-required-scopes');
    });

    it('guards a route marked @Authenticated() by itself, with the RFC 6750 challenge', async () => {
      const missing = await http.get('/catalog/mine').expect(401);
      expect(missing.headers['www-authenticate']).toBe('Bearer');
      expect(missing.body).toMatchObject({ error: { code: 'unauthorized' } });
      const garbage = await http.get('/catalog/mine').set(bearer('garbage')).expect(401);
      expect(garbage.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      const mine = await http.get('/catalog/mine').set(bearer(operator.access_token)).expect(200);
      expect(mine.body.caller).toEqual(expect.any(String));
    });

    it('enforces the roles of @Authenticated({ roles })', async () => {
      await http.get('/catalog/admin').expect(401);
      const wrongRole = await http
        .get('/catalog/admin')
        .set(bearer(operator.access_token))
        .expect(403);
      expect(wrongRole.headers['www-authenticate']).toBe('Bearer error="insufficient_scope"');
      expect(wrongRole.body).toMatchObject({ error: { code: 'forbidden' } });
      await http.get('/catalog/admin').set(bearer(admin.access_token)).expect(200);
    });

    it('enforces the scopes of @Authenticated({ scopes }), as granted through either token endpoint', async () => {
      const me = await http.get('/api-users/me').set(bearer(admin.access_token)).expect(200);
      const key = (
        await http
          .post(`/api-users/${me.body.id}/api-keys`)
          .set(bearer(admin.access_token))
          .send({ scopes: ['reports:read', 'reports:write'] })
          .expect(201)
      ).body;
      // Only the declared scopes may be put on a key.
      const undeclared = await http
        .post(`/api-users/${me.body.id}/api-keys`)
        .set(bearer(admin.access_token))
        .send({ scopes: ['payroll'] })
        .expect(400);
      expect(undeclared.body.error.details[0]).toMatchObject({ target: 'scopes[0]' });

      // A token without the claim carries no scope: refused, with the RFC 6750 challenge.
      const unscoped = await http
        .get('/catalog/reports')
        .set(bearer(operator.access_token))
        .expect(403);
      expect(unscoped.headers['www-authenticate']).toBe(
        'Bearer error="insufficient_scope", scope="reports:read"',
      );
      expect(unscoped.body).toMatchObject({ error: { code: 'insufficient_scope' } });
      // Narrowed to reports:write: refused too.
      const writeOnly = (
        await http
          .post('/auth/token')
          .send({
            api_key_id: key.api_key_id,
            api_key_secret: key.api_key_secret,
            scope: 'reports:write',
          })
          .expect(200)
      ).body as TokenPair;
      await http.get('/catalog/reports').set(bearer(writeOnly.access_token)).expect(403);
      const reader = (
        await http
          .post('/auth/token')
          .send({ api_key_id: key.api_key_id, api_key_secret: key.api_key_secret })
          .expect(200)
      ).body as TokenPair;
      await http
        .get('/catalog/reports')
        .set(bearer(reader.access_token))
        .expect(200, { scopes: ['reports:read', 'reports:write'] });

      // OAuth client credentials: the scope parameter narrows, the answer and introspection say so.
      const basic = `Basic ${Buffer.from(`${key.api_key_id}:${key.api_key_secret}`).toString('base64')}`;
      const oauth = await http
        .post('/oauth/token')
        .set('authorization', basic)
        .type('form')
        .send({ grant_type: 'client_credentials', scope: 'reports:read' })
        .expect(200);
      expect(oauth.body.scope).toBe('reports:read');
      await http
        .get('/catalog/reports')
        .set(bearer(oauth.body.access_token))
        .expect(200, { scopes: ['reports:read'] });
      for (const token of [oauth.body.access_token, oauth.body.refresh_token]) {
        const introspected = await http
          .post('/oauth/introspect')
          .set('authorization', basic)
          .type('form')
          .send({ token })
          .expect(200);
        expect(introspected.body).toMatchObject({ active: true, scope: 'reports:read' });
      }
      const refreshed = await http
        .post('/oauth/token')
        .set('authorization', basic)
        .type('form')
        .send({ grant_type: 'refresh_token', refresh_token: oauth.body.refresh_token })
        .expect(200);
      expect(refreshed.body.scope).toBe('reports:read');
      const beyond = await http
        .post('/oauth/token')
        .set('authorization', basic)
        .type('form')
        .send({ grant_type: 'client_credentials', scope: 'reports:read payroll' })
        .expect(400);
      expect(beyond.body.error).toBe('invalid_scope');
    });

    it('resolves BearerAuthGuard in a feature module that does not import AuthModule', async () => {
      await http.get('/ledger').expect(401);
      await http
        .get('/ledger')
        .set(bearer(operator.access_token))
        .expect(200, { role: 'operator' });
    });

    it("keeps the library's own admin routes guarded", async () => {
      await http.get('/api-users').expect(401);
      await http.get('/api-users').set(bearer(operator.access_token)).expect(403);
      await http.get('/sessions').expect(401);
    });

    it("keeps its tables in prefixed tables beside the host's own", async () => {
      // The full flow ran above: refresh, then reuse revokes the session.
      const second = (
        await http
          .post('/auth/token/refresh')
          .send({ refresh_token: operator.refresh_token })
          .expect(200)
      ).body as TokenPair;
      await http
        .post('/auth/token/refresh')
        .send({ refresh_token: operator.refresh_token })
        .expect(401);
      await http.get('/catalog/mine').set(bearer(second.access_token)).expect(401);

      const dataSource = app.get(DataSource);
      expect(await dataSource.query('SELECT "company" FROM "clients"')).toEqual([
        { company: 'Acme' },
      ]);
      expect(await dataSource.query('SELECT "id", "cart" FROM "sessions"')).toEqual([
        { id: 's-1', cart: 'widgets' },
      ]);
      const opened = await dataSource.query(
        `SELECT count(*) AS n FROM "${HOST_TABLE_PREFIX}sessions"`,
      );
      expect(Number(opened[0].n)).toBeGreaterThanOrEqual(2);
      const revoked = await dataSource.query(
        `SELECT revoked_reason FROM "${HOST_TABLE_PREFIX}sessions" WHERE revoked_at IS NOT NULL`,
      );
      expect(revoked).toEqual([{ revoked_reason: 'refresh_token_reused' }]);
    });
  },
);

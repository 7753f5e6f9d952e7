import { startTestApp, type TestApp } from '../support/test-app';
import {
  adminTokens,
  bearer,
  exchange,
  loggedInOperator,
  registeredUser,
  uniqueName,
} from '../support/factories';

describe('API users', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = (await adminTokens(t.http)).access_token;
  });
  afterAll(() => t.dispose());

  describe('POST /api-users', () => {
    it('creates a pending user with a one-time registration token', async () => {
      const name = uniqueName();
      const response = await t.http
        .post('/api-users')
        .set(bearer(admin))
        .send({ name, role: 'operator' })
        .expect(201);
      expect(response.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name,
        role: 'operator',
        status: 'pending',
        created_at: expect.any(String),
        updated_at: expect.any(String),
        registration_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        registration_token_expires_at: expect.any(String),
      });
      // REGISTRATION_TOKEN_TTL_SECONDS defaults to 72 hours.
      expect(
        Date.parse(response.body.registration_token_expires_at) -
          Date.parse(response.body.created_at),
      ).toBe(259_200_000);
    });

    it('answers 409 conflict for a taken name', async () => {
      const name = uniqueName();
      await t.http
        .post('/api-users')
        .set(bearer(admin))
        .send({ name, role: 'operator' })
        .expect(201);
      const response = await t.http
        .post('/api-users')
        .set(bearer(admin))
        .send({ name, role: 'admin' })
        .expect(409);
      expect(response.body.error).toMatchObject({ code: 'conflict', target: 'name' });
    });

    it('gives one 201 and 409s when the same name is created concurrently', async () => {
      const name = uniqueName();
      const statuses = await Promise.all(
        Array.from({ length: 5 }, () =>
          t.http
            .post('/api-users')
            .set(bearer(admin))
            .send({ name, role: 'operator' })
            .then((r) => r.status),
        ),
      );
      expect(statuses.sort()).toEqual([201, 409, 409, 409, 409]);
    });

    it('validates name and role', async () => {
      const response = await t.http
        .post('/api-users')
        .set(bearer(admin))
        .send({ name: '', role: 'root' })
        .expect(400);
      expect(response.body.error.code).toBe('validation_failed');
      expect(new Set(response.body.error.details.map((d: { target: string }) => d.target))).toEqual(
        new Set(['name', 'role']),
      );
      await t.http
        .post('/api-users')
        .set(bearer(admin))
        .send({ name: 'x'.repeat(65), role: 'operator' })
        .expect(400);
    });

    it('is forbidden to operators and closed to anonymous callers', async () => {
      const operator = await loggedInOperator(t.http, admin);
      const forbidden = await t.http
        .post('/api-users')
        .set(bearer(operator.tokens.access_token))
        .send({ name: uniqueName(), role: 'admin' })
        .expect(403);
      expect(forbidden.body.error.code).toBe('forbidden');
      const anonymous = await t.http
        .post('/api-users')
        .send({ name: uniqueName(), role: 'admin' })
        .expect(401);
      expect(anonymous.body.error.code).toBe('unauthorized');
    });
  });

  describe('POST /api-users/register', () => {
    it('activates the user, returns its first API key and spends the token', async () => {
      const created = await t.http
        .post('/api-users')
        .set(bearer(admin))
        .send({ name: uniqueName(), role: 'operator' })
        .expect(201);
      const registered = await t.http
        .post('/api-users/register')
        .send({ registration_token: created.body.registration_token })
        .expect(201);
      expect(registered.body).toEqual({
        api_user_id: created.body.id,
        api_key_id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
        api_key_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      });
      const user = await t.http.get(`/api-users/${created.body.id}`).set(bearer(admin)).expect(200);
      expect(user.body.status).toBe('active');
      const again = await t.http
        .post('/api-users/register')
        .send({ registration_token: created.body.registration_token })
        .expect(401);
      expect(again.body.error.code).toBe('invalid_registration_token');
      await exchange(t.http, registered.body.api_key_id, registered.body.api_key_secret);
    });

    it('lets exactly one of concurrent registrations with the same token win', async () => {
      const created = await t.http
        .post('/api-users')
        .set(bearer(admin))
        .send({ name: uniqueName(), role: 'operator' })
        .expect(201);
      const statuses = await Promise.all(
        Array.from({ length: 6 }, () =>
          t.http
            .post('/api-users/register')
            .send({ registration_token: created.body.registration_token })
            .then((r) => r.status),
        ),
      );
      expect(statuses.sort()).toEqual([201, 401, 401, 401, 401, 401]);
      const keys = await t.http
        .get(`/api-users/${created.body.id}/api-keys`)
        .set(bearer(admin))
        .expect(200);
      expect(keys.body.page_info.count).toBe(1);
    });

    it('answers 401 for an unknown token and 400 for a malformed one', async () => {
      const unknown = await t.http
        .post('/api-users/register')
        .send({ registration_token: 'A'.repeat(43) })
        .expect(401);
      expect(unknown.body.error.code).toBe('invalid_registration_token');
      await t.http
        .post('/api-users/register')
        .send({ registration_token: 'not base64url!' })
        .expect(400);
      await t.http.post('/api-users/register').send({}).expect(400);
    });

    it('refuses the token of a user suspended before registering', async () => {
      const created = await t.http
        .post('/api-users')
        .set(bearer(admin))
        .send({ name: uniqueName(), role: 'operator' })
        .expect(201);
      await t.http
        .patch(`/api-users/${created.body.id}`)
        .set(bearer(admin))
        .send({ status: 'suspended' })
        .expect(200);
      await t.http
        .post('/api-users/register')
        .send({ registration_token: created.body.registration_token })
        .expect(401);
    });
  });

  describe('registration token expiry and reissue', () => {
    const create = () =>
      t.http
        .post('/api-users')
        .set(bearer(admin))
        .send({ name: uniqueName(), role: 'operator' })
        .expect(201);
    const register = (token: string) =>
      t.http.post('/api-users/register').send({ registration_token: token });

    it('refuses an expired registration token with 401 registration_token_expired', async () => {
      const created = await create();
      await t.dataSource.query(
        `UPDATE api_users SET registration_token_expires_at = ${Date.now() - 1000} WHERE id = '${created.body.id}'`,
      );
      const response = await register(created.body.registration_token).expect(401);
      expect(response.body.error).toMatchObject({
        code: 'registration_token_expired',
        target: 'registration_token',
      });
      const user = await t.http.get(`/api-users/${created.body.id}`).set(bearer(admin));
      expect(user.body.status).toBe('pending');
    });

    it('POST /api-users/{id}/registration-token issues a new token; the old one stops working', async () => {
      const created = await create();
      await t.dataSource.query(
        `UPDATE api_users SET registration_token_expires_at = ${Date.now() - 1000} WHERE id = '${created.body.id}'`,
      );
      const reissued = await t.http
        .post(`/api-users/${created.body.id}/registration-token`)
        .set(bearer(admin))
        .expect(201);
      expect(reissued.body).toEqual({
        registration_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        expires_at: expect.any(String),
      });
      expect(reissued.headers['cache-control']).toBe('no-store');
      const ttl = Date.parse(reissued.body.expires_at) - Date.now();
      expect(ttl).toBeGreaterThan(259_100_000);
      expect(ttl).toBeLessThanOrEqual(259_200_000);
      const old = await register(created.body.registration_token).expect(401);
      expect(old.body.error.code).toBe('invalid_registration_token');
      await register(reissued.body.registration_token).expect(201);

      const again = await t.http
        .post(`/api-users/${created.body.id}/registration-token`)
        .set(bearer(admin))
        .expect(409);
      expect(again.body.error.code).toBe('conflict');
    });

    it('answers 404 for an unknown user and 403 to an operator', async () => {
      await t.http
        .post('/api-users/019a8f2e-5c1d-7a3b-9c4d-2e8f6a1b3c5d/registration-token')
        .set(bearer(admin))
        .expect(404);
      const created = await create();
      const operator = await loggedInOperator(t.http, admin);
      await t.http
        .post(`/api-users/${created.body.id}/registration-token`)
        .set(bearer(operator.tokens.access_token))
        .expect(403);
      // The refused attempts changed nothing: the first token still registers.
      await register(created.body.registration_token).expect(201);
    });
  });

  describe('GET /api-users', () => {
    it('pages with the seed-001 shape', async () => {
      for (let i = 0; i < 3; i += 1) await registeredUser(t.http, admin);
      const all = await t.http.get('/api-users').set(bearer(admin)).expect(200);
      const count = all.body.page_info.count;
      expect(count).toBeGreaterThanOrEqual(4);
      expect(all.body.page_info).toEqual({ page: 1, page_size: 30, count, has_next_page: false });
      const second = await t.http
        .get('/api-users?page=2&page_size=2')
        .set(bearer(admin))
        .expect(200);
      expect(second.body.page_info).toEqual({
        page: 2,
        page_size: 2,
        count,
        has_next_page: count > 4,
      });
      expect(second.body.edges.map((e: { cursor: number }) => e.cursor)).toEqual([2, 3]);
      expect(second.body.edges[0].node).toEqual(all.body.edges[2].node);
    });

    it.each(['page=0', 'page=-1', 'page=abc', 'page_size=101', 'page_size=0', 'page_size=1.5'])(
      'rejects %s with 400',
      async (query) => {
        const response = await t.http.get(`/api-users?${query}`).set(bearer(admin)).expect(400);
        expect(response.body.error.code).toBe('validation_failed');
      },
    );

    it('is forbidden to operators', async () => {
      const operator = await loggedInOperator(t.http, admin);
      await t.http.get('/api-users').set(bearer(operator.tokens.access_token)).expect(403);
    });
  });

  describe('GET /api-users/me and /api-users/{id}', () => {
    it('returns the caller, and lets an operator read only itself', async () => {
      const operator = await loggedInOperator(t.http, admin);
      const other = await registeredUser(t.http, admin);
      const me = await t.http
        .get('/api-users/me')
        .set(bearer(operator.tokens.access_token))
        .expect(200);
      expect(me.body).toMatchObject({
        id: operator.apiUserId,
        name: operator.name,
        role: 'operator',
        status: 'active',
      });
      await t.http
        .get(`/api-users/${operator.apiUserId}`)
        .set(bearer(operator.tokens.access_token))
        .expect(200);
      const forbidden = await t.http
        .get(`/api-users/${other.apiUserId}`)
        .set(bearer(operator.tokens.access_token))
        .expect(403);
      expect(forbidden.body.error.code).toBe('forbidden');
    });

    it('answers 404 for an unknown or malformed id', async () => {
      const unknown = await t.http
        .get('/api-users/00000000-0000-7000-8000-000000000000')
        .set(bearer(admin))
        .expect(404);
      expect(unknown.body.error.code).toBe('not_found');
      await t.http.get('/api-users/not-a-uuid').set(bearer(admin)).expect(404);
    });

    it('answers 401 without a token', async () => {
      await t.http.get('/api-users/me').expect(401);
    });
  });

  describe('PATCH /api-users/{id}', () => {
    it('suspends a user, which ends its sessions, and reactivates it', async () => {
      const operator = await loggedInOperator(t.http, admin);
      const suspended = await t.http
        .patch(`/api-users/${operator.apiUserId}`)
        .set(bearer(admin))
        .send({ status: 'suspended' })
        .expect(200);
      expect(suspended.body.status).toBe('suspended');
      const rows = await t.dataSource.query(
        `SELECT revoked_at, revoked_reason FROM sessions WHERE id = '${operator.tokens.session_state}'`,
      );
      expect(rows[0].revoked_reason).toBe('api_user_suspended');
      const history = await t.http
        .get(`/api-users/${operator.apiUserId}/history`)
        .set(bearer(admin))
        .expect(200);
      expect(history.body.edges.map((e: { node: { type: string } }) => e.node.type)).toContain(
        'session.revoked',
      );
      const active = await t.http
        .patch(`/api-users/${operator.apiUserId}`)
        .set(bearer(admin))
        .send({ status: 'active' })
        .expect(200);
      expect(active.body.status).toBe('active');
    });

    it('rejects other statuses, unknown fields, and activating a pending user', async () => {
      const created = await t.http
        .post('/api-users')
        .set(bearer(admin))
        .send({ name: uniqueName(), role: 'operator' })
        .expect(201);
      await t.http
        .patch(`/api-users/${created.body.id}`)
        .set(bearer(admin))
        .send({ status: 'pending' })
        .expect(400);
      await t.http
        .patch(`/api-users/${created.body.id}`)
        .set(bearer(admin))
        .send({ status: 'active', role: 'admin' })
        .expect(400);
      const pending = await t.http
        .patch(`/api-users/${created.body.id}`)
        .set(bearer(admin))
        .send({ status: 'active' })
        .expect(400);
      expect(pending.body.error.target).toBe('status');
    });

    it('answers 404 for an unknown user and 403 to operators', async () => {
      await t.http
        .patch('/api-users/00000000-0000-7000-8000-000000000000')
        .set(bearer(admin))
        .send({ status: 'suspended' })
        .expect(404);
      const operator = await loggedInOperator(t.http, admin);
      await t.http
        .patch(`/api-users/${operator.apiUserId}`)
        .set(bearer(operator.tokens.access_token))
        .send({ status: 'suspended' })
        .expect(403);
    });
  });

  describe('GET /api-users/{id}/history', () => {
    it('lists the user audit events newest first', async () => {
      const operator = await loggedInOperator(t.http, admin);
      const history = await t.http
        .get(`/api-users/${operator.apiUserId}/history`)
        .set(bearer(operator.tokens.access_token))
        .expect(200);
      expect(history.body.edges.map((e: { node: { type: string } }) => e.node.type)).toEqual([
        'token.issued',
        'api_key.created',
        'api_user.registered',
        'api_user.created',
      ]);
      const issued = history.body.edges[0].node;
      expect(issued).toMatchObject({
        api_user_id: operator.apiUserId,
        session_id: operator.tokens.session_state,
        api_key_id: operator.apiKeyId,
      });
      expect(typeof issued.ip).toBe('string');
    });

    it('is forbidden for another user and 404 for an unknown one', async () => {
      const operator = await loggedInOperator(t.http, admin);
      const other = await registeredUser(t.http, admin);
      await t.http
        .get(`/api-users/${other.apiUserId}/history`)
        .set(bearer(operator.tokens.access_token))
        .expect(403);
      await t.http
        .get('/api-users/00000000-0000-7000-8000-000000000000/history')
        .set(bearer(admin))
        .expect(404);
    });
  });
});

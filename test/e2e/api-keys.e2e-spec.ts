import { startTestApp, type TestApp } from '../support/test-app';
import {
  adminTokens,
  bearer,
  exchange,
  loggedInOperator,
  registeredUser,
} from '../support/factories';

const UNRESTRICTED = {
  name: null,
  scopes: null,
  expires_at: null,
  allowed_cidrs: null,
  last_used_at: null,
};

describe('API keys', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = (await adminTokens(t.http)).access_token;
  });
  afterAll(() => t.dispose());

  it('lets an operator create, list and revoke its own keys', async () => {
    const operator = await loggedInOperator(t.http, admin);
    const auth = bearer(operator.tokens.access_token);
    const created = await t.http
      .post(`/api-users/${operator.apiUserId}/api-keys`)
      .set(auth)
      .expect(201);
    // Without a body: a key without name or restriction, as before this round.
    expect(created.body).toEqual({
      api_key_id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      api_key_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      ...UNRESTRICTED,
      created_at: expect.any(String),
      revoked_at: null,
    });
    await exchange(t.http, created.body.api_key_id, created.body.api_key_secret);

    const listed = await t.http
      .get(`/api-users/${operator.apiUserId}/api-keys`)
      .set(auth)
      .expect(200);
    expect(listed.body.page_info.count).toBe(2);
    expect(
      listed.body.edges.map((e: { node: { api_key_id: string } }) => e.node.api_key_id),
    ).toEqual([operator.apiKeyId, created.body.api_key_id]);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.api_key_secret);
    expect(listed.body.edges[0].node).toEqual({
      api_key_id: operator.apiKeyId,
      ...UNRESTRICTED,
      // Its owner exchanged it (loggedInOperator).
      last_used_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      created_at: expect.any(String),
      revoked_at: null,
    });

    await t.http
      .delete(`/api-users/${operator.apiUserId}/api-keys/${created.body.api_key_id}`)
      .set(auth)
      .expect(204);
    const after = await t.http
      .get(`/api-users/${operator.apiUserId}/api-keys`)
      .set(auth)
      .expect(200);
    expect(after.body.edges[1].node.revoked_at).toEqual(expect.any(String));
    await t.http
      .post('/auth/token')
      .send({ api_key_id: created.body.api_key_id, api_key_secret: created.body.api_key_secret })
      .expect(401);
    // Revoking again is harmless.
    await t.http
      .delete(`/api-users/${operator.apiUserId}/api-keys/${created.body.api_key_id}`)
      .set(auth)
      .expect(204);
  });

  it('revokes the sessions a key opened, and only those', async () => {
    const user = await registeredUser(t.http, admin);
    const second = await t.http
      .post(`/api-users/${user.apiUserId}/api-keys`)
      .set(bearer(admin))
      .expect(201);
    const viaFirst = await exchange(t.http, user.apiKeyId, user.apiKeySecret);
    const viaSecond = await exchange(t.http, second.body.api_key_id, second.body.api_key_secret);
    await t.http
      .delete(`/api-users/${user.apiUserId}/api-keys/${user.apiKeyId}`)
      .set(bearer(admin))
      .expect(204);
    const rows: Array<{ id: string; revoked_reason: string | null }> = await t.dataSource.query(
      `SELECT id, revoked_reason FROM sessions WHERE id IN ('${viaFirst.session_state}', '${viaSecond.session_state}')`,
    );
    const reasons = Object.fromEntries(rows.map((row) => [row.id, row.revoked_reason]));
    expect(reasons).toEqual({
      [viaFirst.session_state]: 'api_key_revoked',
      [viaSecond.session_state]: null,
    });
    const history = await t.http
      .get(`/api-users/${user.apiUserId}/history`)
      .set(bearer(admin))
      .expect(200);
    const types = history.body.edges.map((e: { node: { type: string } }) => e.node.type);
    expect(types.slice(0, 2)).toEqual(['session.revoked', 'api_key.revoked']);
  });

  it('keeps operators to their own keys', async () => {
    const operator = await loggedInOperator(t.http, admin);
    const other = await registeredUser(t.http, admin);
    const auth = bearer(operator.tokens.access_token);
    await t.http.post(`/api-users/${other.apiUserId}/api-keys`).set(auth).expect(403);
    await t.http.get(`/api-users/${other.apiUserId}/api-keys`).set(auth).expect(403);
    await t.http
      .delete(`/api-users/${other.apiUserId}/api-keys/${other.apiKeyId}`)
      .set(auth)
      .expect(403);
  });

  it('answers 404 for unknown users and keys, and for a key of another user', async () => {
    const user = await registeredUser(t.http, admin);
    const other = await registeredUser(t.http, admin);
    const unknownUser = '00000000-0000-7000-8000-000000000000';
    await t.http.post(`/api-users/${unknownUser}/api-keys`).set(bearer(admin)).expect(404);
    await t.http.get(`/api-users/${unknownUser}/api-keys`).set(bearer(admin)).expect(404);
    const unknownKey = await t.http
      .delete(`/api-users/${user.apiUserId}/api-keys/AAAAAAAAAAAAAAAAAAAAAA`)
      .set(bearer(admin))
      .expect(404);
    expect(unknownKey.body.error.code).toBe('not_found');
    await t.http
      .delete(`/api-users/${user.apiUserId}/api-keys/${other.apiKeyId}`)
      .set(bearer(admin))
      .expect(404);
    await t.http
      .delete(`/api-users/${user.apiUserId}/api-keys/bad%00key`)
      .set(bearer(admin))
      .expect(404);
    // The other user's key still works.
    await exchange(t.http, other.apiKeyId, other.apiKeySecret);
  });

  it('requires a bearer token', async () => {
    const user = await registeredUser(t.http, admin);
    await t.http.get(`/api-users/${user.apiUserId}/api-keys`).expect(401);
    await t.http.post(`/api-users/${user.apiUserId}/api-keys`).expect(401);
    await t.http.delete(`/api-users/${user.apiUserId}/api-keys/${user.apiKeyId}`).expect(401);
  });
});

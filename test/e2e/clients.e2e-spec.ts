import { startTestApp, type TestApp } from '../support/test-app';
import { adminTokens, bearer, loggedInOperator, uniqueName } from '../support/factories';

describe('Client applications', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = (await adminTokens(t.http)).access_token;
  });
  afterAll(() => t.dispose());

  it('creates a client with a secret shown once, lists it without the secret, deletes it', async () => {
    const name = uniqueName('client');
    const created = await t.http.post('/clients').set(bearer(admin)).send({ name }).expect(201);
    expect(created.body).toEqual({
      client_id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      name,
      created_at: expect.any(String),
    });
    const listed = await t.http.get('/clients').set(bearer(admin)).expect(200);
    expect(
      listed.body.edges.map((e: { node: { client_id: string } }) => e.node.client_id),
    ).toContain(created.body.client_id);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.client_secret);
    await t.http.delete(`/clients/${created.body.client_id}`).set(bearer(admin)).expect(204);
    const gone = await t.http
      .delete(`/clients/${created.body.client_id}`)
      .set(bearer(admin))
      .expect(404);
    expect(gone.body.error.code).toBe('not_found');
  });

  it('answers 409 for a taken name and 400 for a bad one', async () => {
    const name = uniqueName('client');
    await t.http.post('/clients').set(bearer(admin)).send({ name }).expect(201);
    const conflict = await t.http.post('/clients').set(bearer(admin)).send({ name }).expect(409);
    expect(conflict.body.error.code).toBe('conflict');
    await t.http.post('/clients').set(bearer(admin)).send({ name: '' }).expect(400);
    await t.http.post('/clients').set(bearer(admin)).send({}).expect(400);
  });

  it('pages', async () => {
    for (let i = 0; i < 3; i += 1)
      await t.http
        .post('/clients')
        .set(bearer(admin))
        .send({ name: uniqueName('client') })
        .expect(201);
    const page = await t.http.get('/clients?page=1&page_size=2').set(bearer(admin)).expect(200);
    expect(page.body.edges).toHaveLength(2);
    expect(page.body.page_info.has_next_page).toBe(true);
    await t.http.get('/clients?page_size=500').set(bearer(admin)).expect(400);
  });

  it('is for admins only', async () => {
    const operator = await loggedInOperator(t.http, admin);
    const auth = bearer(operator.tokens.access_token);
    await t.http
      .post('/clients')
      .set(auth)
      .send({ name: uniqueName('client') })
      .expect(403);
    await t.http.get('/clients').set(auth).expect(403);
    await t.http.delete('/clients/AAAAAAAAAAAAAAAAAAAAAA').set(auth).expect(403);
    await t.http.get('/clients').expect(401);
  });
});

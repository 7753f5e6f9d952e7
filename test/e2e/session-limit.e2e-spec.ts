import { expireSession, sessionRow } from '../support/db-clock';
import {
  adminTokens,
  bearer,
  exchange,
  refresh,
  registeredUser,
  type Credentials,
  type TokenPair,
} from '../support/factories';
import { startTestApp, type TestApp } from '../support/test-app';

describe('Live sessions per API key (MAX_SESSIONS_PER_API_KEY)', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { MAX_SESSIONS_PER_API_KEY: '3' } });
    admin = (await adminTokens(t.http)).access_token;
  });
  afterAll(() => t.dispose());

  const open = (user: Credentials): Promise<TokenPair> =>
    exchange(t.http, user.apiKeyId, user.apiKeySecret);
  const reasonOf = async (session: TokenPair) =>
    (await sessionRow(t.dataSource, session.session_state)).revoked_reason;

  it("revokes the key's oldest live session when one more opens, like any revocation", async () => {
    const user = await registeredUser(t.http, admin);
    const [first, second, third] = [await open(user), await open(user), await open(user)];
    // The first session's access token is known to the bearer check before it is revoked.
    await t.http.get('/api-users/me').set(bearer(first.access_token)).expect(200);

    const fourth = await open(user);

    expect(await reasonOf(first)).toBe('session_limit');
    for (const live of [second, third, fourth]) expect(await reasonOf(live)).toBeNull();
    await t.http.get('/api-users/me').set(bearer(first.access_token)).expect(401);
    const refused = await refresh(t.http, first.refresh_token).expect(401);
    expect(refused.body.error.code).toBe('session_revoked');
    await refresh(t.http, second.refresh_token).expect(200);

    const history = await t.http
      .get(`/api-users/${user.apiUserId}/history`)
      .set(bearer(admin))
      .expect(200);
    const revoked = history.body.edges
      .map((edge: { node: { type: string; session_id: string; data: unknown } }) => edge.node)
      .filter((node: { type: string }) => node.type === 'session.revoked');
    expect(revoked).toEqual([
      expect.objectContaining({
        session_id: first.session_state,
        data: expect.objectContaining({ reason: 'session_limit' }),
      }),
    ]);
  });

  it('counts only live sessions, and each key on its own', async () => {
    const user = await registeredUser(t.http, admin);
    const [first, second, third] = [await open(user), await open(user), await open(user)];
    await t.http.delete(`/sessions/${first.session_state}`).set(bearer(admin)).expect(204);
    await expireSession(t.dataSource, second.session_state);
    // Two of the three are no longer live: two more fit.
    const fourth = await open(user);
    const fifth = await open(user);
    expect(await reasonOf(first)).toBe('revoked');
    expect(await reasonOf(second)).toBeNull();
    expect(await reasonOf(third)).toBeNull();

    // A second key of the same user has its own cap.
    const created = await t.http
      .post(`/api-users/${user.apiUserId}/api-keys`)
      .set(bearer(admin))
      .expect(201);
    const otherKey = {
      ...user,
      apiKeyId: created.body.api_key_id,
      apiKeySecret: created.body.api_key_secret,
    };
    for (let i = 0; i < 3; i += 1) await open(otherKey);
    for (const live of [third, fourth, fifth]) expect(await reasonOf(live)).toBeNull();

    // The next one on the first key revokes its oldest live session, the third.
    await open(user);
    expect(await reasonOf(third)).toBe('session_limit');
    expect(await reasonOf(fourth)).toBeNull();
  });

  it('holds under a burst of openings: each old session is revoked once, and the cap holds', async () => {
    const user = await registeredUser(t.http, admin);
    const before = [await open(user), await open(user), await open(user)];
    const burst = await Promise.all(Array.from({ length: 6 }, () => open(user)));
    // Openings that raced across instants may leave the key over its cap for a moment; the
    // next opening brings it back.
    const last = await open(user);
    const sessions: { id: string; revoked_reason: string | null }[] = await t.dataSource.query(
      `SELECT id, revoked_reason FROM sessions WHERE api_key_id = '${user.apiKeyId}' ORDER BY id`,
    );
    const live = sessions.filter((session) => session.revoked_reason === null);
    expect(live.map((session) => session.id)).toEqual(
      [...before, ...burst, last]
        .map((tokens) => tokens.session_state)
        .sort()
        .slice(-3),
    );
    expect(sessions.filter((s) => s.revoked_reason === 'session_limit')).toHaveLength(7);
    const events: { session_id: string }[] = await t.dataSource.query(
      `SELECT session_id FROM audit_events WHERE type = 'session.revoked' AND api_key_id = '${user.apiKeyId}'`,
    );
    expect(events).toHaveLength(7);
    expect(new Set(events.map((event) => event.session_id)).size).toBe(7);
  });
});

import { uuidv7 } from '../../libs/auth/src/common/ids';
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
    // A grace window, so rotations keep a sealed successor that a revocation must erase.
    t = await startTestApp({
      env: { MAX_SESSIONS_PER_API_KEY: '3', REFRESH_REUSE_GRACE_SECONDS: '5' },
    });
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

  /** The key's sessions in id (creation) order, with their revocation reasons. */
  const sessionsOf = (
    user: Credentials,
  ): Promise<{ id: string; revoked_reason: string | null; expires_at: string | number }[]> =>
    t.dataSource.query(
      `SELECT id, revoked_reason, expires_at FROM sessions WHERE api_key_id = '${user.apiKeyId}' ORDER BY id`,
    );
  /** The key's live sessions (neither revoked nor expired), oldest first. */
  const liveOf = async (user: Credentials) => {
    const now = Date.now();
    return (await sessionsOf(user))
      .filter((s) => s.revoked_reason === null && Number(s.expires_at) > now)
      .map((s) => s.id);
  };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('does not count again while the last count left room, and counts again a second later', async () => {
    const user = await registeredUser(t.http, admin);
    const first = await open(user);
    // Two live sessions written behind the server's back: the key holds three, its cap.
    const now = Date.now();
    const planted = [uuidv7(), uuidv7()];
    for (const id of planted) {
      await t.dataSource.query(
        `INSERT INTO sessions (id, api_user_id, api_key_id, created_at, expires_at, ip)
         VALUES ('${id}', '${user.apiUserId}', '${user.apiKeyId}', ${now}, ${now + 3_600_000}, NULL)`,
      );
    }
    // The first opening's count left room for two more: this one does not look, so it does not
    // see the planted sessions and revokes nothing, although the key is now over its cap.
    const second = await open(user);
    expect(await liveOf(user)).toEqual([first.session_state, ...planted, second.session_state]);

    // Once the count is a second old, the next opening counts and brings the key to its cap.
    await sleep(1100);
    const third = await open(user);
    expect(await liveOf(user)).toEqual([planted[1], second.session_state, third.session_state]);
    expect(await reasonOf(first)).toBe('session_limit');
  });

  it('at the cap, revokes the oldest live session at each opening, one event each, in the same write', async () => {
    const user = await registeredUser(t.http, admin);
    const firstTokens = await open(user);
    const opened = [firstTokens, await open(user), await open(user)].map(
      (tokens) => tokens.session_state,
    );
    await refresh(t.http, firstTokens.refresh_token).expect(200);
    const sealedOfFirst = () =>
      t.dataSource.query(
        `SELECT token_hash FROM refresh_tokens WHERE session_id = '${opened[0]}' AND successor_sealed IS NOT NULL`,
      );
    expect(await sealedOfFirst()).toHaveLength(1);
    for (let i = 0; i < 8; i += 1) {
      opened.push((await open(user)).session_state);
      expect(await liveOf(user)).toEqual(opened.slice(-3));
    }
    const revoked = (await sessionsOf(user))
      .filter((s) => s.revoked_reason !== null)
      .map(({ id, revoked_reason }) => ({ id, revoked_reason }));
    expect(revoked).toEqual(
      opened.slice(0, -3).map((id) => ({ id, revoked_reason: 'session_limit' })),
    );
    const events: { session_id: string; data: string }[] = await t.dataSource.query(
      `SELECT session_id, data FROM audit_events WHERE type = 'session.revoked' AND api_key_id = '${user.apiKeyId}' ORDER BY session_id`,
    );
    expect(events.map((event) => event.session_id)).toEqual(opened.slice(0, -3));
    for (const event of events) {
      expect(JSON.parse(event.data)).toEqual({ reason: 'session_limit', by: 'system' });
    }
    // The revoked session's sealed successor went with it.
    expect(await sealedOfFirst()).toEqual([]);
  });

  it("at the cap, copies each revocation's security event to the outbox while an instance delivers them", async () => {
    // Another instance delivers security events (this one has no webhook): copies are kept.
    const p = t.db.kind === 'postgres' ? ['$1', '$2'] : ['?', '?'];
    await t.dataSource.query(
      `INSERT INTO security_event_consumers (instance_id, seen_at) VALUES (${p[0]}, ${p[1]})`,
      ['session-limit-test-instance', Date.now()],
    );
    try {
      const user = await registeredUser(t.http, admin);
      const opened: string[] = [];
      for (let i = 0; i < 7; i += 1) opened.push((await open(user)).session_state);
      const copies: { id: string; type: string; session_id: string; data: string }[] =
        await t.dataSource.query(
          `SELECT id, type, session_id, data FROM security_event_outbox WHERE type = 'session.revoked' AND api_key_id = '${user.apiKeyId}' ORDER BY session_id`,
        );
      const events: { id: string }[] = await t.dataSource.query(
        `SELECT id FROM audit_events WHERE type = 'session.revoked' AND api_key_id = '${user.apiKeyId}' ORDER BY session_id`,
      );
      expect(copies.map(({ type, session_id }) => ({ type, session_id }))).toEqual(
        opened.slice(0, -3).map((id) => ({ type: 'session.revoked', session_id: id })),
      );
      expect(copies.map((copy) => copy.id)).toEqual(events.map((event) => event.id));
      for (const copy of copies)
        expect(JSON.parse(copy.data)).toEqual({ reason: 'session_limit', by: 'system' });
    } finally {
      await t.dataSource.query(
        `DELETE FROM security_event_consumers WHERE instance_id = 'session-limit-test-instance'`,
      );
    }
  });

  it('comes back to the cap after sustained concurrent openings, with none in flight', async () => {
    const user = await registeredUser(t.http, admin);
    // Far more openings in flight than the cap: on PostgreSQL most of them find no session
    // old enough to revoke (only those older than every opening still in progress may go).
    const until = Date.now() + 2500;
    await Promise.all(
      Array.from({ length: 30 }, async () => {
        while (Date.now() < until) await open(user);
      }),
    );
    // No further opening: the key is trimmed back to its cap on its own, within a moment.
    let live = await liveOf(user);
    for (let i = 0; i < 40 && live.length > 3; i += 1) {
      await sleep(100);
      live = await liveOf(user);
    }
    expect(live).toHaveLength(3);
    // The newest three are the ones kept.
    const newest = (await sessionsOf(user)).map((s) => s.id).slice(-3);
    expect(live).toEqual(newest);
  });

  it('at the cap, revokes a session that expired since the count rather than a live one', async () => {
    const user = await registeredUser(t.http, admin);
    const [first, second, third] = [await open(user), await open(user), await open(user)];
    // The first session expires just after the first opening's count: one fewer live session
    // than that count knows of.
    await t.dataSource.query(
      `UPDATE sessions SET expires_at = created_at + 1 WHERE id = '${first.session_state}'`,
    );
    await sleep(5);
    const fourth = await open(user);
    // Still three live sessions: none of them was revoked for the expired one.
    expect(await liveOf(user)).toEqual([
      second.session_state,
      third.session_state,
      fourth.session_state,
    ]);
  });

  it('after a revocation on this instance, the next opening counts again and revokes nothing', async () => {
    const user = await registeredUser(t.http, admin);
    const [first, second, third] = [await open(user), await open(user), await open(user)];
    await t.http.delete(`/sessions/${second.session_state}`).set(bearer(admin)).expect(204);
    const fourth = await open(user);
    expect(await liveOf(user)).toEqual([
      first.session_state,
      third.session_state,
      fourth.session_state,
    ]);
    expect(await reasonOf(second)).toBe('revoked');
  });

  it('holds under a burst of openings that all count (the last count is over a second old)', async () => {
    const user = await registeredUser(t.http, admin);
    const before = [await open(user), await open(user), await open(user)];
    await sleep(1100);
    const burst = await Promise.all(Array.from({ length: 8 }, () => open(user)));
    const last = await open(user);
    expect(await liveOf(user)).toEqual(
      [...before, ...burst, last]
        .map((tokens) => tokens.session_state)
        .sort()
        .slice(-3),
    );
    const events: { session_id: string }[] = await t.dataSource.query(
      `SELECT session_id FROM audit_events WHERE type = 'session.revoked' AND api_key_id = '${user.apiKeyId}'`,
    );
    expect(events).toHaveLength(9);
    expect(new Set(events.map((event) => event.session_id)).size).toBe(9);
  });
});

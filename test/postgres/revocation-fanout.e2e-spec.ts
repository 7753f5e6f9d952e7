import { decodeJwt } from '../support/jwt';
import { adminTokens, bearer, exchange, registeredUser } from '../support/factories';
import { describeWithRedis, RedisServer } from '../support/redis-server';
import { startTestApp, type TestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const TRIES = 50;
/** The contract's bound while the channel between instances works. */
const BOUND_MS = 100;

/** Milliseconds until `instance` refuses `token` on a guarded route (polled every 2 ms). */
async function untilRefused(instance: TestApp, token: string, since: number): Promise<number> {
  for (;;) {
    const answer = await instance.http.get('/api-users/me').set(bearer(token));
    if (answer.status === 401) return Date.now() - since;
    expect(answer.status).toBe(200);
    if (Date.now() - since > 3000) throw new Error('still accepted 3 s after its revocation');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function distribution(samples: number[]): string {
  const sorted = [...samples].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return `n=${sorted.length} min=${sorted[0]} p50=${at(0.5)} p90=${at(0.9)} p99=${at(0.99)} max=${sorted[sorted.length - 1]} ms`;
}

/**
 * A revocation on one instance is refused by another within 100 ms, through whichever channel
 * the instances share: Redis pub/sub with REDIS_URL, else PostgreSQL's LISTEN/NOTIFY. Without
 * the message the other instance would go on trusting its cached answer for up to 500 ms.
 */
function revocationsReachTheOtherInstance(
  channel: string,
  redisUrl: () => string | undefined,
  loseMessages?: { stop(): Promise<void>; start(): Promise<void> },
) {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let admin: string;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    const url = redisUrl();
    const env: Record<string, string> = url ? { REDIS_URL: url } : {};
    a = await startTestApp({ db, env });
    b = await startTestApp({ db, env });
    admin = (await adminTokens(a.http)).access_token;
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await db?.drop();
  });

  it(`refuses a session revoked on the other instance within ${BOUND_MS} ms, ${TRIES} times out of ${TRIES} (${channel})`, async () => {
    const user = await registeredUser(a.http, admin);
    const delays: number[] = [];
    for (let i = 0; i < TRIES; i += 1) {
      const tokens = await exchange(a.http, user.apiKeyId, user.apiKeySecret);
      // B has found the session live, and would trust that for 500 ms.
      await b.http.get('/api-users/me').set(bearer(tokens.access_token)).expect(200);
      await a.http.delete(`/sessions/${tokens.session_state}`).set(bearer(admin)).expect(204);
      delays.push(await untilRefused(b, tokens.access_token, Date.now()));
    }
    console.log(
      `session revocation seen by the other instance (${channel}): ${distribution(delays)}`,
    );
    expect(Math.max(...delays)).toBeLessThan(BOUND_MS);
  });

  it(`refuses the sessions of a suspended user and of a revoked key at once (${channel})`, async () => {
    const suspended = await registeredUser(a.http, admin);
    const ofUser = await exchange(a.http, suspended.apiKeyId, suspended.apiKeySecret);
    const keyOwner = await registeredUser(a.http, admin);
    const ofKey = await exchange(a.http, keyOwner.apiKeyId, keyOwner.apiKeySecret);
    for (const tokens of [ofUser, ofKey])
      await b.http.get('/api-users/me').set(bearer(tokens.access_token)).expect(200);

    let since = Date.now();
    await a.http
      .patch(`/api-users/${suspended.apiUserId}`)
      .set(bearer(admin))
      .send({ status: 'suspended' })
      .expect(200);
    expect(await untilRefused(b, ofUser.access_token, since)).toBeLessThan(BOUND_MS);

    since = Date.now();
    await a.http
      .delete(`/api-users/${keyOwner.apiUserId}/api-keys/${keyOwner.apiKeyId}`)
      .set(bearer(admin))
      .expect(204);
    expect(await untilRefused(b, ofKey.access_token, since)).toBeLessThan(BOUND_MS);
  });

  it(`refuses tokens of a signing key revoked on the other instance at once (${channel})`, async () => {
    const user = await registeredUser(a.http, admin);
    const tokens = await exchange(a.http, user.apiKeyId, user.apiKeySecret);
    await b.http.get('/api-users/me').set(bearer(tokens.access_token)).expect(200);
    const { kid } = decodeJwt(tokens.access_token).header as { kid: string };
    const since = Date.now();
    await a.http.post(`/keys/${kid}/revoke`).set(bearer(admin)).expect(200);
    // The reload takes a query; well within the bound all the same.
    expect(await untilRefused(b, tokens.access_token, since)).toBeLessThan(BOUND_MS);
    // The admin's own token was signed by the same key: a new one for what follows.
    admin = (await adminTokens(a.http)).access_token;
  });

  if (loseMessages) {
    it(`still refuses them within 1.5 s when the message is lost (${channel} down)`, async () => {
      const user = await registeredUser(a.http, admin);
      const tokens = await exchange(a.http, user.apiKeyId, user.apiKeySecret);
      await b.http.get('/api-users/me').set(bearer(tokens.access_token)).expect(200);
      const signed = await exchange(a.http, user.apiKeyId, user.apiKeySecret);
      await b.http.get('/api-users/me').set(bearer(signed.access_token)).expect(200);
      await loseMessages.stop();
      try {
        let since = Date.now();
        await a.http.delete(`/sessions/${tokens.session_state}`).set(bearer(admin)).expect(204);
        const sessionDelay = await untilRefused(b, tokens.access_token, since);
        const { kid } = decodeJwt(signed.access_token).header as { kid: string };
        since = Date.now();
        await a.http.post(`/keys/${kid}/revoke`).set(bearer(admin)).expect(200);
        const keyDelay = await untilRefused(b, signed.access_token, since);
        console.log(
          `without messages (${channel} down): session refused after ${sessionDelay} ms, signing key after ${keyDelay} ms`,
        );
        expect(sessionDelay).toBeLessThan(1500);
        expect(keyDelay).toBeLessThan(1500);
      } finally {
        await loseMessages.start();
      }
    });
  }
}

describe('Revocations reach the other instance (PostgreSQL LISTEN/NOTIFY, no Redis)', () => {
  revocationsReachTheOtherInstance('LISTEN/NOTIFY', () => undefined);
});

describeWithRedis('Revocations reach the other instance (Redis pub/sub)', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(() => redis?.kill());
  revocationsReachTheOtherInstance('Redis', () => redis.url, {
    stop: () => redis.kill(),
    start: () => redis.restart(),
  });
});

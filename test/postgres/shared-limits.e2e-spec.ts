import { Redis } from 'ioredis';
import type { WindowCount } from '../../libs/auth/src/common/window-counter';
import { MAX_CREDITS } from '../../libs/auth/src/shared-store/count-credits';
import { SharedStore } from '../../libs/auth/src/shared-store/shared-store';
import { adminTokens, registeredUser, type Credentials } from '../support/factories';
import { LogLines } from '../support/log-lines';
import { describeWithRedis, RedisServer } from '../support/redis-server';
import { startTestApp, type TestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/** Above the twelve requests the lockout test makes from one address. */
const RATE_LIMIT = 20;

/**
 * Two instances on one PostgreSQL database and one real Redis (REDIS_URL): the per-address
 * limit and the failed-secret lockout hold whichever instance a request reaches, and losing
 * Redis costs no token request. The server trusts X-Forwarded-For, so each test speaks from
 * addresses of its own.
 */
/** Script calls Redis has run so far (the shared counts are a script). */
async function scriptCalls(probe: Redis): Promise<number> {
  const stats = await probe.info('commandstats');
  return [...stats.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g)].reduce(
    (sum, match) => sum + Number(match[1]),
    0,
  );
}

describeWithRedis('Limits shared by two instances through Redis', () => {
  let redis: RedisServer;
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  // Nest's Logger is one per process: both instances' lines land here.
  const logs = new LogLines();
  let user: Credentials;

  beforeAll(async () => {
    redis = await RedisServer.start();
    db = await createTestDatabase('postgres');
    const env = {
      REDIS_URL: redis.url,
      TRUST_PROXY: 'true',
      RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
    };
    a = await startTestApp({ db, env, logDestination: logs });
    b = await startTestApp({ db, env, logDestination: logs });
    user = await registeredUser(a.http, (await adminTokens(a.http)).access_token);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await db?.drop();
    await redis?.kill();
  });

  const exchangeFrom = (instance: TestApp, address: string, secret = user.apiKeySecret) =>
    instance.http
      .post('/auth/token')
      .set('X-Forwarded-For', address)
      .send({ api_key_id: user.apiKeyId, api_key_secret: secret });

  it('lets through at most the limit per address in all, whichever instance requests reach', async () => {
    const answers = await Promise.all(
      Array.from({ length: 2 * RATE_LIMIT }, (_, i) =>
        exchangeFrom(i % 2 === 0 ? a : b, '198.51.100.50'),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(RATE_LIMIT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(RATE_LIMIT);
    const refused = answers.find((answer) => answer.status === 429)!;
    expect(refused.body.error.code).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Another address has its own count.
    await exchangeFrom(b, '198.51.100.51').expect(200);
  });

  it("shares one script call among a turn's counts of one address, each in its own place", async () => {
    const store = a.app.get(SharedStore);
    const probe = new Redis(redis.url);
    try {
      await store.countInWindow('batch-warm-up', 60_000);
      const before = await scriptCalls(probe);
      const counts = await Promise.all(
        Array.from({ length: 5 }, () => store.countInWindow('batch-probe', 60_000)),
      );
      expect(counts.map((counted) => counted?.count)).toEqual([1, 2, 3, 4, 5]);
      expect((await scriptCalls(probe)) - before).toBe(1);
      expect(await probe.get('auth:batch-probe')).toBe('5');
    } finally {
      probe.disconnect();
    }
  });

  it('counts a busy address from counts taken ahead, each in its own place, the limit exact', async () => {
    const stores = [a.app.get(SharedStore), b.app.get(SharedStore)];
    const probe = new Redis(redis.url);
    try {
      const limit = 1000;
      const before = await scriptCalls(probe);
      const counts: number[] = [];
      // One count per turn, alternately on each instance: a busy address spread over both.
      const countUpTo = async (length: number) => {
        while (counts.length < length) {
          const store = stores[counts.length % 2];
          counts.push((await store.countInWindow('credit-probe', 60_000, limit))!.count);
        }
      };
      // Far from the limit, counts are taken ahead: without that, one round trip per count.
      await countUpTo(600);
      const calls = (await scriptCalls(probe)) - before;
      expect(calls).toBeLessThan(60);
      console.log(`600 counts of one address over two instances: ${calls} script calls`);
      // Near the limit and past it every count is its own again.
      await countUpTo(1100);
      // No place is given twice, so no more than the limit is let through...
      expect(new Set(counts).size).toBe(counts.length);
      // ...and none was left unused below the limit: exactly the limit is let through.
      expect(counts.filter((count) => count <= limit)).toHaveLength(limit);
      const total = Number(await probe.get('auth:credit-probe'));
      expect(total).toBeLessThanOrEqual(counts.length + 2 * MAX_CREDITS);
    } finally {
      probe.disconnect();
    }
  });

  it('wastes no count taken ahead when round trips for one address overlap', async () => {
    const store = a.app.get(SharedStore);
    const limit = 1000;
    const counting: Promise<WindowCount | undefined>[] = [];
    // Five counts per event-loop turn, not waiting for answers: several round trips in flight.
    for (let i = 0; i < 1100; i += 1) {
      counting.push(store.countInWindow('overlap-probe', 60_000, limit));
      if (i % 5 === 4) await new Promise((resolve) => setImmediate(resolve));
    }
    const counts = (await Promise.all(counting)).map((counted) => counted!.count);
    expect(new Set(counts).size).toBe(counts.length);
    expect(counts.filter((count) => count <= limit)).toHaveLength(limit);
  });

  it('counts requests that come while credits are on their way from those credits', async () => {
    const store = a.app.get(SharedStore);
    const probe = new Redis(redis.url);
    try {
      const limit = 100_000;
      // A first round trip: the address is busy from now on.
      const first = await store.countInWindow('on-their-way-probe', 60_000, limit);
      const before = await scriptCalls(probe);
      // The next count's round trip takes credits ahead (sent at the end of this turn)...
      const taking = store.countInWindow('on-their-way-probe', 60_000, limit);
      await new Promise((resolve) => setImmediate(resolve));
      // ...and ten more come before it answers, as a server's next requests do while its
      // earlier ones are still counted. They wait for the credits instead of being counted
      // after them on round trips of their own (which could leave those credits unused).
      const meanwhile = Array.from({ length: 10 }, () =>
        store.countInWindow('on-their-way-probe', 60_000, limit),
      );
      const counts = (await Promise.all([taking, ...meanwhile])).map((counted) => counted!.count);
      expect((await scriptCalls(probe)) - before).toBe(1);
      // The one that went to Redis first, then the first ten credits, in order.
      expect(counts).toEqual(Array.from({ length: 11 }, (_, i) => first!.count + 1 + i));
    } finally {
      probe.disconnect();
    }
  });

  it('keeps a busy address off round trips: the next credits are taken before they run out', async () => {
    const store = a.app.get(SharedStore);
    const limit = 100_000;
    let waited = 0;
    const counts: number[] = [];
    // Five counts a turn, a millisecond apart: a busy address as a server sees it.
    for (let turn = 0; turn < 120; turn += 1) {
      for (let i = 0; i < 5; i += 1) {
        const counting = store.countInWindow('top-up-probe', 60_000, limit);
        // Settled already (a credit) or still waiting for Redis?
        const fromCredit = await Promise.race([
          counting.then(() => true),
          Promise.resolve().then(() => false),
        ]);
        if (!fromCredit) waited += 1;
        counts.push((await counting)!.count);
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    // The first count and the one that takes the first credits wait; no other does.
    expect(waited).toBeLessThanOrEqual(2);
    expect(new Set(counts).size).toBe(counts.length);
  });

  it('locks a key for an address on both instances after ten wrong secrets spread over them', async () => {
    const attacker = '198.51.100.60';
    for (let i = 0; i < 10; i += 1) {
      const instance = i % 2 === 0 ? a : b;
      const answer = await exchangeFrom(instance, attacker, 'wrong-secret-'.padEnd(43, 'x'));
      expect([401, 429]).toContain(answer.status);
    }
    // The lock reaches the other instance through Redis's messages: give it a moment.
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const instance of [a, b]) {
      const locked = await exchangeFrom(instance, attacker);
      expect(locked.status).toBe(429);
      expect(locked.body.error.code).toBe('rate_limited');
    }
    // The owner, from elsewhere, is not locked out.
    await exchangeFrom(a, '198.51.100.61').expect(200);
    await exchangeFrom(b, '198.51.100.61').expect(200);
  });

  it('keeps answering token requests while Redis is down, and shares counts again once it is back', async () => {
    let next = 0;
    // A new address per request: the per-address limit is not what this test is about.
    const oneRequest = () => {
      next += 1;
      return exchangeFrom(next % 2 === 0 ? a : b, `203.0.113.${next % 250}`);
    };
    const statuses: number[] = [];
    const load = async (untilMs: number) => {
      while (Date.now() < untilMs) {
        const batch = await Promise.all([oneRequest(), oneRequest()]);
        statuses.push(...batch.map((answer) => answer.status));
      }
    };
    const running = load(Date.now() + 3000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await redis.kill();
    await running;
    expect(statuses.length).toBeGreaterThan(10);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);

    await redis.restart();
    const probe = new Redis(redis.url);
    try {
      const restartedAt = Date.now();
      let shared = false;
      while (!shared && Date.now() - restartedAt < 10_000) {
        await exchangeFrom(a, '192.0.2.99').expect(200);
        shared = (await probe.get('auth:token-endpoints:192.0.2.99')) !== null;
        if (!shared) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(shared).toBe(true);
      await exchangeFrom(b, '192.0.2.99').expect(200);
      console.log(`shared counting back ${Date.now() - restartedAt} ms after Redis restarted`);
    } finally {
      probe.disconnect();
    }
    // Each instance: one warning for the outage, one line when it ended.
    const lines = logs.raw.join('\n');
    expect(lines.match(/Redis is unreachable or slow/g)).toHaveLength(2);
    expect(lines.match(/Redis answers again/g)).toHaveLength(2);
  });

  it('answers in time while Redis is frozen: a command gives up after its timeout', async () => {
    const timed = async (address: string) => {
      const started = Date.now();
      await exchangeFrom(a, address).expect(200);
      return Date.now() - started;
    };
    redis.freeze();
    try {
      const durations = [];
      for (let i = 0; i < 5; i += 1) durations.push(await timed(`203.0.113.${200 + i}`));
      // The command timeout (250 ms) and the request's own work: far from a frozen wait.
      expect(Math.max(...durations)).toBeLessThan(1000);
    } finally {
      redis.thaw();
    }
  });
});

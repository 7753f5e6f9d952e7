import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Redis, RedisOptions } from 'ioredis';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import type { WindowCount } from '../common/window-counter';
import { TurnBatch } from '../database/turn-batch';
import { CountCredits } from './count-credits';

/** One count asked of countInWindow, or a top-up of a busy name's credits (no count of its own). */
interface CountRequest {
  name: string;
  windowMs: number;
  limit: number | undefined;
  topUpOnly?: boolean;
}

/** How long a command may take before the caller counts in its own memory instead. */
export const SHARED_COMMAND_TIMEOUT_MS = 250;
/** How long start-up waits for Redis before going on without it (it keeps reconnecting). */
const FIRST_CONNECTION_WAIT_MS = 2000;
/** The longest pause between reconnection attempts. */
const MAX_RECONNECT_DELAY_MS = 2000;

/**
 * Adds `ARGV[2]` counts to `KEYS[1]` in a window of `ARGV[1]` ms that starts at its first
 * count: the new total and the window's milliseconds left, in one round trip. A key left without an expiry (a crash
 * between the two writes cannot happen in a script, but a restored snapshot could hold one)
 * is given one, so no count lasts for ever.
 */
const COUNT_IN_WINDOW_LUA = `
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
if count == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
return {count, left}`;

/** Where one name's counts of a batch landed in its shared total. */
interface NameCount {
  firstCount: number;
  msLeft: number;
}

type CountingClient = Redis & {
  countInWindow(key: string, windowMs: number, counts: number): Promise<[number, number]>;
};

/**
 * The Redis that instances share (option `redisUrl`): counters that must hold whichever
 * instance a request reaches, and messages to every instance. Without `redisUrl` it is inert.
 *
 * Redis is never on the critical path: a command is not queued while Redis is unreachable and
 * gives up after SHARED_COMMAND_TIMEOUT_MS, and its caller then counts in its own memory, as
 * without Redis. The first failure of an outage logs one warning; the connection is retried in
 * the background, and the first command that succeeds again logs that shared counting resumed.
 */
@Injectable()
export class SharedStore implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SharedStore');
  private client?: CountingClient;
  private subscriber?: Redis;
  private readonly handlers = new Map<string, (message: string) => void>();
  /** True from the first failure of an outage until a command succeeds again. */
  private inOutage = false;
  /** Counts of busy limited names taken ahead of their requests (see countInWindow). */
  private readonly credits = new CountCredits();
  /**
   * Names whose round trip taking credits ahead is under way: settles once its credits are
   * recorded, true when Redis answered.
   */
  private readonly creditsOnTheirWay = new Map<string, Promise<boolean>>();

  constructor(@Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions) {}

  /** Whether instances share counters here (`redisUrl` is set), reachable or not. */
  get enabled(): boolean {
    return this.options.redisUrl !== undefined;
  }

  /**
   * Connects once every module has started (not at module init): a start-up that fails leaves
   * no connection behind, reconnecting for ever in a process meant to exit.
   */
  async onApplicationBootstrap(): Promise<void> {
    const url = this.options.redisUrl;
    if (url === undefined) return;
    const { Redis } = await loadIoredis();
    const connection: RedisOptions = {
      // Fail at once while disconnected instead of queueing: the caller counts locally.
      enableOfflineQueue: false,
      // The commands of one turn go out in one write.
      enableAutoPipelining: true,
      maxRetriesPerRequest: 0,
      commandTimeout: SHARED_COMMAND_TIMEOUT_MS,
      connectTimeout: FIRST_CONNECTION_WAIT_MS,
      retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
      // The messages are the instance's own business; nothing else reads its name.
      connectionName: 'keyring-auth',
      lazyConnect: true,
    };
    const client = new Redis(url, connection) as CountingClient;
    client.defineCommand('countInWindow', { numberOfKeys: 1, lua: COUNT_IN_WINDOW_LUA });
    // Errors surface through commands (and the outage warning); the events would repeat them.
    client.on('error', () => {});
    this.client = client;
    // Subscribing takes a connection of its own; it resubscribes by itself after a reconnect.
    const subscriber = new Redis(url, {
      ...connection,
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      commandTimeout: undefined,
    });
    subscriber.on('error', () => {});
    subscriber.on('message', (channel: string, message: string) =>
      this.handlers.get(channel)?.(message),
    );
    this.subscriber = subscriber;
    const connected = await Promise.allSettled([client.connect(), subscriber.connect()]);
    for (const channel of this.handlers.keys()) this.subscribeTo(channel);
    if (connected.some((result) => result.status === 'rejected')) this.noteFailure();
    else this.logger.log(`sharing limits through Redis at ${redactedUrl(url)}`);
  }

  onApplicationShutdown(): void {
    this.client?.disconnect();
    this.subscriber?.disconnect();
  }

  /**
   * Counts `name` in a shared window of `windowMs` starting at its first count; undefined when
   * Redis is off or cannot answer now (count locally then). With the `limit` the caller will
   * hold the count to, a busy name may be counted from credits taken ahead (see CountCredits),
   * without a round trip.
   */
  countInWindow(name: string, windowMs: number, limit?: number): Promise<WindowCount | undefined> {
    if (this.client === undefined) return Promise.resolve(undefined);
    // Without a limit (lockouts) every count is its own round trip: no credits.
    if (limit === undefined) return this.counts.submit({ name, windowMs, limit });
    const credit = this.credits.take(name);
    if (credit !== undefined) {
      if (this.credits.topUpDue(name, limit)) {
        // Nobody waits for it; a failure is noted in the batch and leaves the name on round trips.
        this.counts.submit({ name, windowMs, limit, topUpOnly: true }).catch(() => {});
      }
      return Promise.resolve(credit);
    }
    // Credits are on their way: wait for them. A count sent now would be placed after them,
    // and they could be left unused below the limit once this address's burst ends. If Redis
    // failed to answer them, count locally at once rather than wait for a second failure.
    const onTheirWay = this.creditsOnTheirWay.get(name);
    if (onTheirWay !== undefined)
      return onTheirWay.then((answered) =>
        answered ? this.countInWindow(name, windowMs, limit) : undefined,
      );
    return this.counts.submit({ name, windowMs, limit });
  }

  /**
   * The counts asked for in one event-loop turn: one script per name with all of that name's
   * counts (many requests from one address share a round trip), the scripts written together.
   * Each count gets its own place in the total, as if they had been counted one by one; the
   * credits taken ahead for a busy name come last.
   */
  private readonly counts = new TurnBatch<CountRequest, WindowCount | undefined>(
    async (requests) => {
      const byName = new Map<string, CountRequest[]>();
      for (const request of requests) {
        const same = byName.get(request.name) ?? [];
        same.push(request);
        byName.set(request.name, same);
      }
      const answers = new Map<string, NameCount | 'nothing asked' | undefined>();
      await Promise.all(
        [...byName].map(async ([name, same]) => {
          const counting = same.filter((request) => !request.topUpOnly).length;
          answers.set(name, await this.countName(name, same[0], counting));
        }),
      );
      const outcomes = [...answers.values()].filter((answer) => answer !== 'nothing asked');
      if (outcomes.some((answer) => answer === undefined)) this.noteFailure();
      else if (outcomes.length > 0) this.noteSuccess();
      const placed = new Map<string, number>();
      return requests.map((request) => {
        const answer = answers.get(request.name);
        if (typeof answer !== 'object' || request.topUpOnly) return { ok: true, value: undefined };
        const before = placed.get(request.name) ?? 0;
        placed.set(request.name, before + 1);
        return { ok: true, value: { count: answer.firstCount + before, msLeft: answer.msLeft } };
      });
    },
  );

  /**
   * Adds `counting` counts of `name`, and the credits it may take ahead, in one script call:
   * the first of the places those counts take, or undefined when Redis did not answer. A
   * top-up alone that may take nothing ahead makes no call: 'nothing asked'.
   */
  private async countName(
    name: string,
    { windowMs, limit }: CountRequest,
    counting: number,
  ): Promise<NameCount | 'nothing asked' | undefined> {
    const extra = this.credits.extraFor(name, limit);
    const counts = counting + extra;
    if (counts === 0) return 'nothing asked';
    this.credits.sent(name, counts);
    let creditsArrived = (_answered: boolean) => {};
    if (extra > 0)
      this.creditsOnTheirWay.set(name, new Promise((resolve) => (creditsArrived = resolve)));
    let answered = false;
    try {
      const [sharedTotal, msLeft] = await (this.client as CountingClient).countInWindow(
        this.key(name),
        windowMs,
        counts,
      );
      const total = Number(sharedTotal);
      if (limit !== undefined) this.credits.record(name, total, extra, Number(msLeft));
      answered = true;
      return { firstCount: total - counts + 1, msLeft: Number(msLeft) };
    } catch {
      if (extra > 0) this.credits.abandon(name);
      return undefined;
    } finally {
      this.credits.settled(name, counts);
      if (extra > 0) {
        this.creditsOnTheirWay.delete(name);
        creditsArrived(answered);
      }
    }
  }

  /** Sends `message` to every instance's handler of `channel` (this one's included). */
  async publish(channel: string, message: string): Promise<void> {
    const client = this.client;
    if (client === undefined) return;
    try {
      await client.publish(this.key(channel), message);
    } catch {
      this.noteFailure();
    }
  }

  /**
   * Calls `handler` with each message published on `channel` by any instance, from when the
   * subscription is made (at start-up, once connected; again by itself after a reconnect).
   */
  subscribe(channel: string, handler: (message: string) => void): void {
    if (!this.enabled) return;
    this.handlers.set(this.key(channel), handler);
    if (this.subscriber !== undefined) this.subscribeTo(this.key(channel));
  }

  private subscribeTo(channel: string): void {
    // Queued while disconnected (this connection alone queues), so it takes effect on connect.
    this.subscriber?.subscribe(channel).catch(() => this.noteFailure());
  }

  private key(name: string): string {
    return `${this.options.redisKeyPrefix}${name}`;
  }

  private noteFailure(): void {
    if (this.inOutage) return;
    this.inOutage = true;
    this.logger.warn(
      'Redis is unreachable or slow: rate limits and lockouts are counted per instance until it answers again',
    );
  }

  private noteSuccess(): void {
    if (!this.inOutage) return;
    this.inOutage = false;
    this.logger.log('Redis answers again: rate limits and lockouts are shared again');
  }
}

async function loadIoredis(): Promise<typeof import('ioredis')> {
  try {
    return await import('ioredis');
  } catch {
    throw new Error('AuthModule option redisUrl needs the ioredis package: npm install ioredis');
  }
}

/** The URL without its password, for the log. */
function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured URL';
  }
}

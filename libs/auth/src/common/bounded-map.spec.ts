import type { ResolvedAuthOptions } from '../auth.module-definition';
import { FailedAttemptsLimiter } from '../api-users/failed-attempts.limiter';
import type { SigningKeysService } from '../keys/signing-keys.service';
import { SessionHeadroomTracker } from '../sessions/session-headroom.tracker';
import { SessionLivenessCache } from '../sessions/session-liveness.cache';
import type { SessionsRepository } from '../sessions/sessions.repository';
import { UnansweredRotations } from '../sessions/unanswered-rotations';
import { CountCredits } from '../shared-store/count-credits';
import { VerifiedTokenCache } from '../token/verified-token.cache';
import { boundedMap } from './bounded-map';
import type { Principal } from './principal';
import { WindowCounter } from './window-counter';

describe('boundedMap', () => {
  it('keeps the order of last set, which peek leaves alone, and drops the first', () => {
    const evicted: string[] = [];
    const map = boundedMap<number>(3, (value, key) => evicted.push(`${key}=${value}`));
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3);
    map.set('a', 4); // set again: now the newest
    expect(map.peek('b')).toBe(2); // read: still the oldest
    map.set('d', 5);
    expect(evicted).toEqual(['b=2']);
    expect([...map.rkeys()]).toEqual(['c', 'a', 'd']);
  });

  it('tells only of entries dropped to make room, not of deletes or overwrites', () => {
    const evicted: string[] = [];
    const map = boundedMap<number>(2, (_value, key) => evicted.push(key));
    map.set('a', 1);
    map.set('a', 2);
    map.delete('a');
    map.set('b', 1);
    map.set('c', 1);
    map.set('d', 1);
    expect(evicted).toEqual(['b']);
  });
});

/**
 * Each bounded structure on a request path, driven far past its bound. A Map keeps deleted
 * entries as holes at its front until it is rebuilt, so a structure that finds its oldest
 * entry by iterating a Map steps over every hole left since: tens of µs per request at
 * 100 000 entries (BENCHMARKS.md, round 18). Timing is not a test here, so these check the
 * cause instead: steady eviction iterates no Map at all.
 */
describe('bounded structures on request paths', () => {
  let iterations = 0;
  const originals = {
    keys: Map.prototype.keys,
    entries: Map.prototype.entries,
    values: Map.prototype.values,
    iterator: Map.prototype[Symbol.iterator],
  };
  beforeEach(() => {
    // Counted for every Map, lru-cache's included.
    Map.prototype.keys = function keys<K, V>(this: Map<K, V>) {
      iterations += 1;
      return originals.keys.call(this) as MapIterator<K>;
    };
    Map.prototype.entries = function entries<K, V>(this: Map<K, V>) {
      iterations += 1;
      return originals.entries.call(this) as MapIterator<[K, V]>;
    };
    Map.prototype.values = function values<K, V>(this: Map<K, V>) {
      iterations += 1;
      return originals.values.call(this) as MapIterator<V>;
    };
    Map.prototype[Symbol.iterator] = function iterator<K, V>(this: Map<K, V>) {
      iterations += 1;
      return originals.iterator.call(this) as MapIterator<[K, V]>;
    };
  });
  afterEach(() => {
    Map.prototype.keys = originals.keys;
    Map.prototype.entries = originals.entries;
    Map.prototype.values = originals.values;
    Map.prototype[Symbol.iterator] = originals.iterator;
  });

  /** Runs `step` with 0..n-1 and returns the Map iterations made. */
  const iterationsOver = (n: number, step: (i: number) => void): number => {
    iterations = 0; // (the test runner's own, between the hooks and the test, are not ours)
    for (let i = 0; i < n; i += 1) step(i);
    return iterations;
  };

  it('SessionLivenessCache: revocations past 100 000 sessions', () => {
    const cache = new SessionLivenessCache(
      {} as SessionsRepository,
      { sessionCheckTtlMs: 500 } as ResolvedAuthOptions,
    );
    expect(iterationsOver(100_050, (i) => cache.markRevoked(`s${i}`))).toBe(0);
  });

  it('VerifiedTokenCache: tokens past 10 000', () => {
    const cache = new VerifiedTokenCache(
      { onSessionEnded: () => {} } as unknown as SessionLivenessCache,
      { trusts: () => true } as unknown as SigningKeysService,
    );
    const principal = (sessionId: string) =>
      ({ sessionId, expiresAt: Number.MAX_SAFE_INTEGER }) as Principal;
    expect(iterationsOver(10_050, (i) => cache.remember(`h.t${i}.s`, principal(`s${i}`)))).toBe(0);
  });

  it('UnansweredRotations: tokens past 100 000', () => {
    const rotations = new UnansweredRotations();
    expect(iterationsOver(100_050, (i) => rotations.add(`t${i}`, i))).toBe(0);
  });

  it('SessionHeadroomTracker: keys past 50 000', () => {
    const tracker = new SessionHeadroomTracker();
    expect(iterationsOver(50_050, (i) => tracker.forget(`k${i}`))).toBe(0);
  });

  it('CountCredits: names past 10 000', () => {
    const credits = new CountCredits();
    expect(iterationsOver(10_050, (i) => credits.record(`n${i}`, 1, 0, 60_000, 1000))).toBe(0);
  });

  it('WindowCounter: names past its bound', () => {
    const counter = new WindowCounter(1000);
    expect(iterationsOver(1050, (i) => counter.count(`a${i}`, 60_000, 1000))).toBe(0);
  });

  it('FailedAttemptsLimiter: addresses and locks past their bounds', () => {
    const limiter = new FailedAttemptsLimiter({
      failedAttemptsPerKeyPerMinute: 10,
    } as ResolvedAuthOptions);
    // A flood of one failure per made-up address, then of locks, each a minute after the last
    // so that the oldest lock has ended when the next needs room.
    const floods = iterationsOver(50_050, (i) => limiter.recordFailure('key', `a${i}`, 1000));
    const locks = iterationsOver(50_050, (i) =>
      limiter.lockFor('key', `b${i}`, 60_000, 1000 + i * 60_000),
    );
    expect({ floods, locks }).toEqual({ floods: 0, locks: 0 });
  });
});

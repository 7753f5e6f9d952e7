import { Inject, Injectable } from '@nestjs/common';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { type BoundedMap, boundedMap } from '../common/bounded-map';
import { nowMs } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { AUTH_METRICS, type AuthMetricsSink, NO_AUTH_METRICS } from '../metrics/auth-metrics';

export const FAILED_ATTEMPTS_WINDOW_MS = 60_000;
const WINDOW_MS = FAILED_ATTEMPTS_WINDOW_MS;
/** Windows still counting (below the limit) kept at most; about 150 bytes each. */
export const MAX_COUNTING_WINDOWS = 50_000;
/** Locked windows kept at most; a flood must make ten failures per entry to fill it. */
export const MAX_LOCKED_WINDOWS = 50_000;

interface Window {
  startedAt: number;
  failures: number;
}

/**
 * Failed secret checks per (API key id, client address) and minute. Ten wrong secrets for a
 * key from one address refuse that key from that address for the rest of the minute; the
 * rightful owner, elsewhere, is not refused (key ids are public, so a lock per key id alone
 * let anyone lock its owner out). Counted per instance.
 *
 * Memory is bounded under a flood of made-up ids or addresses without letting the flood lift
 * a live lock. Windows live in two bounded maps, each in the order windows were last set,
 * which is start order (a window that restarts moves to the end):
 * - `counting`, below the limit: when full, expired windows go first, then the oldest. Dropping
 *   a counting window forgives at most nine failures; it never lifts a lock.
 * - `locked`, at the limit: a window moves here on its tenth failure and is dropped only once
 *   its minute is over. Filling it takes ten failures per entry inside one minute. If it is
 *   full of live locks even so, the new lock stays in `counting` (still locked while it is
 *   there, but evictable by the flood): existing locks are never the ones to go.
 */
@Injectable()
export class FailedAttemptsLimiter {
  private readonly counting = boundedMap<Window>(MAX_COUNTING_WINDOWS);
  /** Never full when set: `roomForLock` makes room by dropping ended locks only. */
  private readonly locked = boundedMap<Window>(MAX_LOCKED_WINDOWS);

  constructor(
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
    @Inject(AUTH_METRICS) private readonly metrics: AuthMetricsSink = NO_AUTH_METRICS,
  ) {}

  /** Throws 429 `rate_limited` (with Retry-After) while the key is locked for this address. */
  assertAllowed(apiKeyId: string, ip: string | null, now = nowMs()): void {
    const limit = this.options.failedAttemptsPerKeyPerMinute;
    if (limit === 0) return;
    const key = windowKey(apiKeyId, ip);
    const window = this.locked.peek(key) ?? this.counting.peek(key);
    if (!window || now - window.startedAt >= WINDOW_MS || window.failures < limit) return;
    const retryAfterSeconds = Math.max(1, Math.ceil((window.startedAt + WINDOW_MS - now) / 1000));
    this.metrics.rateLimited();
    throw new DomainError(
      'rate_limited',
      'Too many failed attempts for this API key; retry later.',
      undefined,
      undefined,
      retryAfterSeconds,
    );
  }

  recordFailure(apiKeyId: string, ip: string | null, now = nowMs()): void {
    const limit = this.options.failedAttemptsPerKeyPerMinute;
    if (limit === 0) return;
    const key = windowKey(apiKeyId, ip);
    const lock = this.locked.peek(key);
    if (lock && now - lock.startedAt < WINDOW_MS) return;
    if (lock) this.locked.delete(key);
    let window = this.counting.peek(key);
    if (!window || now - window.startedAt >= WINDOW_MS) {
      window = { startedAt: now, failures: 0 };
      this.counting.set(key, window);
    }
    window.failures += 1;
    if (window.failures >= limit && this.roomForLock(now)) {
      this.counting.delete(key);
      this.locked.set(key, window);
    }
  }

  /**
   * Locks the key for this address for the `msLeft` ms left of a window found at the limit
   * elsewhere (the count shared by instances; see SharedLockouts).
   */
  lockFor(apiKeyId: string, ip: string | null, msLeft: number, now = nowMs()): void {
    const limit = this.options.failedAttemptsPerKeyPerMinute;
    if (limit === 0) return;
    const key = windowKey(apiKeyId, ip);
    const window = { startedAt: now + Math.min(msLeft, WINDOW_MS) - WINDOW_MS, failures: limit };
    this.counting.delete(key);
    this.locked.delete(key);
    if (this.roomForLock(now)) this.locked.set(key, window);
    else this.counting.set(key, window);
  }

  /** Tracked windows, for tests of the bounds. */
  get size(): { counting: number; locked: number } {
    return { counting: this.counting.size, locked: this.locked.size };
  }

  /** Drops ended locks, the oldest first, until one more fits. False when all are live. */
  private roomForLock(now: number): boolean {
    while (this.locked.size >= MAX_LOCKED_WINDOWS) {
      const [key, oldest] = oldestOf(this.locked);
      if (now - oldest.startedAt < WINDOW_MS) return false;
      this.locked.delete(key);
    }
    return true;
  }
}

/** The entry set longest ago (of a map that holds some). */
function oldestOf(windows: BoundedMap<Window>): [string, Window] {
  return windows.rentries().next().value as [string, Window];
}

function windowKey(apiKeyId: string, ip: string | null): string {
  return `${ip ?? 'unknown'} ${apiKeyId}`;
}

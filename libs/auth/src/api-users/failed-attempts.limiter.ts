import { Inject, Injectable } from '@nestjs/common';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { nowMs } from '../common/clock';
import { DomainError } from '../common/domain-error';

const WINDOW_MS = 60_000;
/** Bounds memory under a flood of made-up key ids: the oldest windows are dropped first. */
const MAX_TRACKED = 50_000;

interface Window {
  startedAt: number;
  failures: number;
}

/**
 * A tighter limit than the per-IP one, on failed credential checks per API key id: guessing
 * a key's secret from many addresses still stops after a few failures a minute. Counted per
 * instance.
 */
@Injectable()
export class FailedAttemptsLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(@Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions) {}

  /** Throws 429 `rate_limited` (with Retry-After) while the key id is over its limit. */
  assertAllowed(apiKeyId: string, now = nowMs()): void {
    const limit = this.options.failedAttemptsPerKeyPerMinute;
    const window = this.windows.get(apiKeyId);
    if (limit === 0 || !window || now - window.startedAt >= WINDOW_MS) return;
    if (window.failures >= limit) {
      const retryAfterSeconds = Math.ceil((window.startedAt + WINDOW_MS - now) / 1000);
      throw new DomainError(
        'rate_limited',
        'Too many failed attempts for this API key; retry later.',
        undefined,
        undefined,
        retryAfterSeconds,
      );
    }
  }

  recordFailure(apiKeyId: string, now = nowMs()): void {
    const window = this.windows.get(apiKeyId);
    if (window && now - window.startedAt < WINDOW_MS) {
      window.failures += 1;
      return;
    }
    this.windows.delete(apiKeyId);
    this.windows.set(apiKeyId, { startedAt: now, failures: 1 });
    if (this.windows.size > MAX_TRACKED) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
  }
}

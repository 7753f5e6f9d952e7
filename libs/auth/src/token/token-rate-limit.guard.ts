import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { clientIpOf } from '../common/client-ip';
import { DomainError } from '../common/domain-error';
import { AUTH_METRICS, type AuthMetricsSink } from '../metrics/auth-metrics';
import { SharedStore } from '../shared-store/shared-store';
import { WindowCounter } from '../common/window-counter';

const WINDOW_MS = 60_000;

/** This instance's counts, per address: the library's own, never a host's ThrottlerModule's. */
@Injectable()
export class TokenRateLimitStorage extends WindowCounter {}

/**
 * Limits requests per client IP per minute across all token endpoints (one budget per IP, in
 * fixed windows from an address's first request), answering 429 `rate_limited` with
 * `Retry-After`. `rateLimitPerMinute: 0` turns it off.
 * With `redisUrl`, one count per address is shared by every instance (at most one round trip
 * per request; a busy address's counts are taken in batches ahead, see CountCredits); without
 * it, or while Redis does not answer, each instance counts in its memory.
 */
@Injectable()
export class TokenRateLimitGuard implements CanActivate {
  constructor(
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
    private readonly storage: TokenRateLimitStorage,
    private readonly shared: SharedStore,
    @Inject(AUTH_METRICS) private readonly metrics: AuthMetricsSink,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const limit = this.options.rateLimitPerMinute;
    if (limit === 0) return true;
    const ip = clientIpOf(context.switchToHttp().getRequest()) ?? 'unknown';
    const name = `token-endpoints:${ip}`;
    const shared = this.shared.enabled
      ? await this.shared.countInWindow(name, WINDOW_MS, limit)
      : undefined;
    const counted = shared ?? this.storage.count(name, WINDOW_MS);
    if (counted.count > limit) {
      this.metrics.rateLimited();
      throw new DomainError(
        'rate_limited',
        undefined,
        undefined,
        undefined,
        Math.max(1, Math.ceil(counted.msLeft / 1000)),
      );
    }
    return true;
  }
}

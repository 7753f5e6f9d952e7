import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ThrottlerStorageService } from '@nestjs/throttler';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { clientIpOf } from '../common/client-ip';
import { DomainError } from '../common/domain-error';
import { AUTH_METRICS, type AuthMetricsSink } from '../metrics/auth-metrics';
import { SharedStore } from '../shared-store/shared-store';

const WINDOW_MS = 60_000;

/** The library's own counter store, so a host's ThrottlerModule (if any) is never shared or disturbed. */
@Injectable()
export class TokenRateLimitStorage extends ThrottlerStorageService {}

/**
 * Limits requests per client IP per minute across all token endpoints (one budget per IP),
 * answering 429 `rate_limited` with `Retry-After`. `rateLimitPerMinute: 0` turns it off.
 * With `redisUrl`, one count per address is shared by every instance (one round trip per
 * request); without it, or while Redis does not answer, each instance counts in its memory.
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
      ? await this.shared.countInWindow(name, WINDOW_MS)
      : undefined;
    let retryAfterSeconds: number | undefined;
    if (shared !== undefined) {
      if (shared.count > limit) retryAfterSeconds = Math.ceil(shared.msLeft / 1000);
    } else {
      const local = await this.storage.increment(name, WINDOW_MS, limit, WINDOW_MS, 'default');
      if (local.isBlocked) retryAfterSeconds = local.timeToBlockExpire;
    }
    if (retryAfterSeconds !== undefined) {
      this.metrics.rateLimited();
      throw new DomainError(
        'rate_limited',
        undefined,
        undefined,
        undefined,
        Math.max(1, retryAfterSeconds),
      );
    }
    return true;
  }
}

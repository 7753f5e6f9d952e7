import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ThrottlerStorageService } from '@nestjs/throttler';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { clientIpOf } from '../common/client-ip';
import { DomainError } from '../common/domain-error';
import { AUTH_METRICS, type AuthMetricsSink } from '../metrics/auth-metrics';

const WINDOW_MS = 60_000;

/** The library's own counter store, so a host's ThrottlerModule (if any) is never shared or disturbed. */
@Injectable()
export class TokenRateLimitStorage extends ThrottlerStorageService {}

/**
 * Limits requests per client IP per minute across all token endpoints (one budget per IP),
 * answering 429 `rate_limited` with `Retry-After`. `rateLimitPerMinute: 0` turns it off.
 * Counters live in each instance's memory.
 */
@Injectable()
export class TokenRateLimitGuard implements CanActivate {
  constructor(
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
    private readonly storage: TokenRateLimitStorage,
    @Inject(AUTH_METRICS) private readonly metrics: AuthMetricsSink,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const limit = this.options.rateLimitPerMinute;
    if (limit === 0) return true;
    const ip = clientIpOf(context.switchToHttp().getRequest()) ?? 'unknown';
    const { isBlocked, timeToBlockExpire } = await this.storage.increment(
      `token-endpoints:${ip}`,
      WINDOW_MS,
      limit,
      WINDOW_MS,
      'default',
    );
    if (isBlocked) {
      this.metrics.rateLimited();
      throw new DomainError(
        'rate_limited',
        undefined,
        undefined,
        undefined,
        Math.max(1, timeToBlockExpire),
      );
    }
    return true;
  }
}

import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { SharedStore } from '../shared-store/shared-store';
import { FAILED_ATTEMPTS_WINDOW_MS, FailedAttemptsLimiter } from './failed-attempts.limiter';

const CHANNEL = 'lockouts';

/** A lock as instances tell each other: the window's milliseconds left, not a clock time. */
interface LockMessage {
  apiKeyId: string;
  ip: string | null;
  msLeft: number;
}

/**
 * Failed secret checks counted across instances (with `redisUrl`), so that ten wrong secrets
 * for a key from one address lock it there whichever instances they reached.
 *
 * Each failure is counted in Redis too (one round trip, on the failure path only). The
 * instance whose count reaches the limit locks the key locally and tells every instance, which
 * lock it in their memory: the check before each secret comparison stays a memory read, at no
 * cost to the token requests that succeed. Should the message be lost, an instance not locked
 * counts the next failure past the limit, locks, and tells the others again. While Redis does
 * not answer, each instance counts alone (FailedAttemptsLimiter).
 */
@Injectable()
export class SharedLockouts implements OnModuleInit {
  constructor(
    private readonly shared: SharedStore,
    private readonly limiter: FailedAttemptsLimiter,
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
  ) {}

  onModuleInit(): void {
    this.shared.subscribe(CHANNEL, (message) => {
      const lock = parseLock(message);
      if (lock) this.limiter.lockFor(lock.apiKeyId, lock.ip, lock.msLeft);
    });
  }

  /** Counts a failed secret check of `apiKeyId` from `ip` where every instance sees it. */
  async recordFailure(apiKeyId: string, ip: string | null): Promise<void> {
    const limit = this.options.failedAttemptsPerKeyPerMinute;
    if (limit === 0 || !this.shared.enabled) return;
    const counted = await this.shared.countInWindow(
      `failed-secrets:${ip ?? 'unknown'} ${apiKeyId}`,
      FAILED_ATTEMPTS_WINDOW_MS,
    );
    if (counted === undefined || counted.count < limit) return;
    this.limiter.lockFor(apiKeyId, ip, counted.msLeft);
    const lock: LockMessage = { apiKeyId, ip, msLeft: counted.msLeft };
    await this.shared.publish(CHANNEL, JSON.stringify(lock));
  }
}

/** A lock message, or undefined for anything else (Redis is shared with whoever else uses it). */
function parseLock(message: string): LockMessage | undefined {
  try {
    const { apiKeyId, ip, msLeft } = JSON.parse(message) as Record<string, unknown>;
    if (typeof apiKeyId !== 'string' || apiKeyId.length > 128) return undefined;
    if (ip !== null && (typeof ip !== 'string' || ip.length > 64)) return undefined;
    if (typeof msLeft !== 'number' || !(msLeft > 0 && msLeft <= FAILED_ATTEMPTS_WINDOW_MS))
      return undefined;
    return { apiKeyId, ip, msLeft };
  } catch {
    return undefined;
  }
}

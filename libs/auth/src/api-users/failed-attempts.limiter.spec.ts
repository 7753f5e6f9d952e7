import type { ResolvedAuthOptions } from '../auth.module-definition';
import { type DomainError } from '../common/domain-error';
import {
  FailedAttemptsLimiter,
  MAX_COUNTING_WINDOWS,
  MAX_LOCKED_WINDOWS,
} from './failed-attempts.limiter';

const options = { failedAttemptsPerKeyPerMinute: 10 } as ResolvedAuthOptions;
const T0 = 1_000_000;

function lockOut(limiter: FailedAttemptsLimiter, keyId: string, ip: string, now: number): void {
  for (let i = 0; i < 10; i += 1) limiter.recordFailure(keyId, ip, now);
}

function refusal(limiter: FailedAttemptsLimiter, keyId: string, ip: string, now: number) {
  try {
    limiter.assertAllowed(keyId, ip, now);
    return null;
  } catch (error) {
    return error as DomainError;
  }
}

describe('FailedAttemptsLimiter', () => {
  it('locks a key for one address only, for the rest of the minute', () => {
    const limiter = new FailedAttemptsLimiter(options);
    lockOut(limiter, 'key', '203.0.113.1', T0);
    const refused = refusal(limiter, 'key', '203.0.113.1', T0 + 15_000);
    expect(refused?.code).toBe('rate_limited');
    expect(refused?.retryAfterSeconds).toBe(45);
    expect(refusal(limiter, 'key', '198.51.100.1', T0 + 15_000)).toBeNull();
    expect(refusal(limiter, 'key', '203.0.113.1', T0 + 60_000)).toBeNull();
  });

  it('keeps a live lock through a flood of made-up ids and addresses, within its bounds', () => {
    const limiter = new FailedAttemptsLimiter(options);
    lockOut(limiter, 'victim', '203.0.113.1', T0);
    for (let i = 0; i < MAX_COUNTING_WINDOWS * 2; i += 1)
      limiter.recordFailure(`made-up-${i}`, `10.0.${i % 250}.${i % 200}`, T0 + 1);
    expect(limiter.size.counting).toBeLessThanOrEqual(MAX_COUNTING_WINDOWS);
    expect(refusal(limiter, 'victim', '203.0.113.1', T0 + 2)?.code).toBe('rate_limited');
  });

  it('never evicts a live lock to make room for another, and reuses expired ones', () => {
    const limiter = new FailedAttemptsLimiter(options);
    lockOut(limiter, 'victim', '203.0.113.1', T0);
    for (let i = 1; i < MAX_LOCKED_WINDOWS + 10; i += 1) lockOut(limiter, `k${i}`, 'x', T0 + 1);
    expect(limiter.size.locked).toBeLessThanOrEqual(MAX_LOCKED_WINDOWS);
    expect(refusal(limiter, 'victim', '203.0.113.1', T0 + 2)?.code).toBe('rate_limited');
    // A minute on, the expired locks make room for new ones.
    lockOut(limiter, 'late', 'y', T0 + 61_000);
    expect(refusal(limiter, 'late', 'y', T0 + 61_001)?.code).toBe('rate_limited');
    expect(limiter.size.locked).toBeLessThanOrEqual(MAX_LOCKED_WINDOWS);
  });

  it('takes a lock found elsewhere for the milliseconds left of its window', () => {
    const limiter = new FailedAttemptsLimiter(options);
    limiter.lockFor('key', '203.0.113.1', 20_000, T0);
    const refused = refusal(limiter, 'key', '203.0.113.1', T0 + 5_000);
    expect(refused?.retryAfterSeconds).toBe(15);
    expect(refusal(limiter, 'key', '198.51.100.1', T0 + 5_000)).toBeNull();
    expect(refusal(limiter, 'key', '203.0.113.1', T0 + 20_000)).toBeNull();
  });
});

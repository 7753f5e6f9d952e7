import {
  DEFAULT_MAX_DELIVERY_AGE_SECONDS,
  DEFAULT_RETRY_SCHEDULE_SECONDS,
  nextAttemptAt,
} from './retry-schedule';

const MAX_AGE = DEFAULT_MAX_DELIVERY_AGE_SECONDS * 1000;
const S = DEFAULT_RETRY_SCHEDULE_SECONDS;

describe('nextAttemptAt', () => {
  it('retries the first failure within 30 s, then backs off with ±20 % jitter', () => {
    expect(nextAttemptAt(1, 0, 0, S, MAX_AGE, () => 0)).toBe(4000);
    expect(nextAttemptAt(1, 0, 0, S, MAX_AGE, () => 1)).toBe(6000);
    expect(nextAttemptAt(2, 10_000, 0, S, MAX_AGE, () => 0.5)).toBe(10_000 + 300_000);
    expect(nextAttemptAt(4, 0, 0, S, MAX_AGE, () => 0.5)).toBe(7_200_000);
  });

  it('gives up when the schedule runs out or the attempt would pass 24 h after the event', () => {
    expect(nextAttemptAt(S.length + 1, 0, 0, S, MAX_AGE)).toBeNull();
    const late = MAX_AGE - 60_000;
    expect(nextAttemptAt(6, late, 0, S, MAX_AGE, () => 0.5)).toBeNull();
    // The whole schedule fits in 24 h when each retry comes on time.
    let at = 0;
    for (let failures = 1; failures <= S.length; failures++) {
      const next = nextAttemptAt(failures, at, 0, S, MAX_AGE, () => 0);
      expect(next).not.toBeNull();
      at = next as number;
    }
  });
});

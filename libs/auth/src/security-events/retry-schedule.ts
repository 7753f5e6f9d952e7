/**
 * When a failed delivery is tried again: the Standard Webhooks schedule (5 s, 5 min, 30 min,
 * 2 h, 5 h, 10 h, 10 h), each delay with ±20 % jitter so that the events of one outage do not
 * all come back at once. The first retry comes within 30 s of the failure.
 */
export const DEFAULT_RETRY_SCHEDULE_SECONDS = [5, 300, 1800, 7200, 18_000, 36_000, 36_000];

/** Deliveries stop once the event is this old (24 h). */
export const DEFAULT_MAX_DELIVERY_AGE_SECONDS = 86_400;

const JITTER = 0.2;

/**
 * The instant of the next attempt after `failedAttempts` failures, or null to give up: the
 * schedule has run out, or the attempt would come after `createdAt + maxAgeMs`.
 */
export function nextAttemptAt(
  failedAttempts: number,
  now: number,
  createdAt: number,
  schedule: readonly number[],
  maxAgeMs: number,
  random: () => number = Math.random,
): number | null {
  const delaySeconds = schedule[failedAttempts - 1];
  if (delaySeconds === undefined) return null;
  const jittered = delaySeconds * 1000 * (1 - JITTER + 2 * JITTER * random());
  const at = now + Math.round(jittered);
  return at > createdAt + maxAgeMs ? null : at;
}

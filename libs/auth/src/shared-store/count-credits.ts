import type { WindowCount } from '../common/window-counter';

/** Most counts an instance takes ahead of its requests for one name in one round trip. */
export const MAX_CREDITS = 64;
/** Credits never exceed this fraction of what remained of the limit when they were taken. */
const SHARE_OF_REMAINDER = 16;
/** Below this remainder every count is its own (no credits): small limits stay exact. */
const MIN_REMAINDER_FOR_CREDITS = 256;
/** Credits unused this long after they were taken are dropped (they stay counted in Redis). */
export const CREDIT_LIFETIME_MS = 1000;
/** Names remembered at most; past it the oldest are forgotten (their credits dropped). */
const MAX_NAMES = 10_000;

/** What this instance holds for one name from its last round trip. */
interface Holding {
  /** The next credit's place in the shared total, and the last one's. */
  next: number;
  last: number;
  /** The shared total when the round trip answered, and the limit's remainder then. */
  total: number;
  windowEndsAt: number;
  takenAt: number;
}

/**
 * Counts of a limited name (a shared rate limit per address) that this instance has already
 * added to the shared total in Redis, ahead of the requests that will use them: a busy address
 * pays one round trip per batch of requests instead of one per event-loop turn.
 *
 * The limit holds exactly: every request still gets its own place in the shared total, and one
 * whose place is past the limit is refused. What credits change is who may use a place: an
 * instance holding credits it does not use (its traffic for that address stopped or moved to
 * another instance) makes the others refuse up to that many requests early, until the window
 * ends. That is bounded: credits go only to a name that had a round trip within the last
 * CREDIT_LIFETIME_MS, never more than MAX_CREDITS or a sixteenth of the remainder, none once
 * fewer than MIN_REMAINDER_FOR_CREDITS places remain, and they lapse after CREDIT_LIFETIME_MS.
 */
export class CountCredits {
  /** In order of last round trip: an update deletes and inserts again. */
  private readonly holdings = new Map<string, Holding>();

  /** Uses one credit of `name`, or undefined when none is held (then ask Redis). */
  take(name: string, now = Date.now()): WindowCount | undefined {
    const holding = this.holdings.get(name);
    if (
      holding === undefined ||
      holding.next > holding.last ||
      now >= holding.windowEndsAt ||
      now - holding.takenAt >= CREDIT_LIFETIME_MS
    )
      return undefined;
    const count = holding.next;
    holding.next += 1;
    return { count, msLeft: holding.windowEndsAt - now };
  }

  /**
   * How many counts to take ahead for `name` in the next round trip, under `limit` (none
   * without a limit: lockouts count every failure as its own).
   */
  extraFor(name: string, limit: number | undefined, now = Date.now()): number {
    if (limit === undefined) return 0;
    const holding = this.holdings.get(name);
    if (holding === undefined || now - holding.takenAt >= CREDIT_LIFETIME_MS) return 0;
    if (now >= holding.windowEndsAt) return 0;
    const remainder = limit - holding.total;
    if (remainder < MIN_REMAINDER_FOR_CREDITS) return 0;
    return Math.min(MAX_CREDITS, Math.floor(remainder / SHARE_OF_REMAINDER));
  }

  /**
   * Records a round trip's answer: the shared `total` after adding this instance's counts, of
   * which the last `extra` are credits for later requests.
   */
  record(name: string, total: number, extra: number, msLeft: number, now = Date.now()): void {
    this.holdings.delete(name);
    this.holdings.set(name, {
      next: total - extra + 1,
      last: total,
      total,
      windowEndsAt: now + msLeft,
      takenAt: now,
    });
    if (this.holdings.size > MAX_NAMES) {
      const oldest = this.holdings.keys().next().value as string;
      this.holdings.delete(oldest);
    }
  }

  /** Names held, for tests of the bound. */
  get size(): number {
    return this.holdings.size;
  }
}

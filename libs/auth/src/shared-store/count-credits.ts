import { boundedMap } from '../common/bounded-map';
import type { WindowCount } from '../common/window-counter';

/**
 * Most counts an instance takes ahead of its requests for one name in one round trip. A server
 * turn can answer some fifty requests of one address before the top-up asked at half a batch
 * comes back: with 64, a third of a busy address's requests waited for Redis (side by side with
 * the limit in memory, refresh ran at 0.92); with 256, half a batch outlasts a few turns.
 */
export const MAX_CREDITS = 256;
/** Credits never exceed this fraction of what remained of the limit when they were taken. */
const SHARE_OF_REMAINDER = 16;
/** Below this remainder every count is its own (no credits): small limits stay exact. */
const MIN_REMAINDER_FOR_CREDITS = 256;
/** Credits unused this long after they were taken are dropped (they stay counted in Redis). */
export const CREDIT_LIFETIME_MS = 1000;
/** Names remembered at most; past it the oldest are forgotten (their credits dropped). */
const MAX_NAMES = 10_000;
/**
 * Two answers whose windows end further apart than this are of different windows (the key
 * expired in between): the older answer's credits are not places in the newer window.
 */
const SAME_WINDOW_TOLERANCE_MS = 100;

/** Places in the shared total taken ahead by one round trip: `next` to `last`. */
interface CreditRange {
  next: number;
  last: number;
  expiresAt: number;
}

/** What this instance knows of one name from its round trips. */
interface Holding {
  /** Unused credits, oldest first. */
  ranges: CreditRange[];
  /** The highest shared total a round trip answered, and when it answered. */
  total: number;
  answeredAt: number;
  windowEndsAt: number;
  /** A round trip taking credits ahead is under way: no second one until it answers. */
  takingAhead: boolean;
  /** A top-up was asked for (topUpDue) and its round trip has not started yet. */
  topUpAsked: boolean;
  /** How many credits the last round trip took ahead: a top-up is due at half of it. */
  lastTaken: number;
}

/**
 * Whether a round trip for `holding`'s name may take credits ahead now: none under way, a round
 * trip within CREDIT_LIFETIME_MS in the current window, and the limit far enough, counting this
 * instance's counts for the name still unanswered (`inFlight`) as already added. Counts sent
 * before the credits are placed before them; requests after them wait for them (SharedStore),
 * so credits go to the next requests in order, not past them.
 */
function mayTakeAhead(holding: Holding, limit: number, inFlight: number, now: number): boolean {
  return (
    !holding.takingAhead &&
    now - holding.answeredAt < CREDIT_LIFETIME_MS &&
    now < holding.windowEndsAt &&
    remainderOf(holding, limit, inFlight) >= MIN_REMAINDER_FOR_CREDITS
  );
}

/** What is left of `limit` once the known total and the counts unanswered are taken. */
function remainderOf(holding: Holding, limit: number, inFlight: number): number {
  return limit - holding.total - inFlight;
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
 * CREDIT_LIFETIME_MS, by one round trip at a time, never more than MAX_CREDITS or a sixteenth
 * of the remainder per round trip (so at most half a batch left plus the next one held), none
 * once fewer than MIN_REMAINDER_FOR_CREDITS places remain, and they lapse after
 * CREDIT_LIFETIME_MS.
 */
export class CountCredits {
  /** In order of last round trip. */
  private readonly holdings = boundedMap<Holding>(MAX_NAMES);
  /** Counts this instance sent for each name and has no answer for yet (see mayTakeAhead). */
  private readonly unanswered = new Map<string, number>();

  /** Uses one credit of `name`, or undefined when none is held (then ask Redis). */
  take(name: string, now = Date.now()): WindowCount | undefined {
    const holding = this.holdings.peek(name);
    if (holding === undefined || now >= holding.windowEndsAt) return undefined;
    const { ranges } = holding;
    while (ranges.length > 0 && (ranges[0].next > ranges[0].last || now >= ranges[0].expiresAt))
      ranges.shift();
    if (ranges.length === 0) return undefined;
    const count = ranges[0].next;
    ranges[0].next += 1;
    return { count, msLeft: holding.windowEndsAt - now };
  }

  /**
   * Whether `name` should take its next credits now, in the background: half or more of the
   * last batch is used, the limit is far enough, and no round trip for more is asked or under
   * way. A true answer is given once; the round trip it asks for calls `extraFor` as any other.
   */
  topUpDue(name: string, limit: number, now = Date.now()): boolean {
    const holding = this.holdings.peek(name);
    if (holding === undefined || holding.topUpAsked) return false;
    if (!mayTakeAhead(holding, limit, this.inFlight(name), now)) return false;
    let unused = 0;
    for (const range of holding.ranges)
      if (now < range.expiresAt) unused += range.last - range.next + 1;
    if (unused * 2 > holding.lastTaken) return false;
    holding.topUpAsked = true;
    return true;
  }

  /**
   * How many counts the next round trip for `name` takes ahead, under `limit` (none without a
   * limit: lockouts count every failure as its own). A positive answer is a promise to report
   * that round trip's outcome: `record`, or `abandon` when it failed.
   */
  extraFor(name: string, limit: number | undefined, now = Date.now()): number {
    if (limit === undefined) return 0;
    const holding = this.holdings.peek(name);
    if (holding === undefined) return 0;
    holding.topUpAsked = false;
    const inFlight = this.inFlight(name);
    if (!mayTakeAhead(holding, limit, inFlight, now)) return 0;
    holding.takingAhead = true;
    return Math.min(
      MAX_CREDITS,
      Math.floor(remainderOf(holding, limit, inFlight) / SHARE_OF_REMAINDER),
    );
  }

  /** `counts` of `name` (requests' and credits') are on their way to Redis. */
  sent(name: string, counts: number): void {
    this.unanswered.set(name, this.inFlight(name) + counts);
  }

  /** The round trip that carried `counts` of `name` answered or failed. */
  settled(name: string, counts: number): void {
    const left = this.inFlight(name) - counts;
    if (left > 0) this.unanswered.set(name, left);
    else this.unanswered.delete(name);
  }

  private inFlight(name: string): number {
    return this.unanswered.get(name) ?? 0;
  }

  /**
   * Records a round trip's answer: the shared `total` after adding this instance's counts, of
   * which the last `extra` are credits for later requests.
   */
  record(name: string, total: number, extra: number, msLeft: number, now = Date.now()): void {
    const windowEndsAt = now + msLeft;
    const previous = this.holdings.peek(name);
    const sameWindow =
      previous !== undefined &&
      Math.abs(previous.windowEndsAt - windowEndsAt) <= SAME_WINDOW_TOLERANCE_MS;
    const holding: Holding = sameWindow
      ? previous
      : {
          ranges: [],
          total: 0,
          answeredAt: now,
          windowEndsAt,
          takingAhead: false,
          topUpAsked: false,
          lastTaken: 0,
        };
    if (extra > 0) {
      holding.takingAhead = false;
      holding.lastTaken = extra;
      holding.ranges.push({
        next: total - extra + 1,
        last: total,
        expiresAt: now + CREDIT_LIFETIME_MS,
      });
    }
    holding.total = Math.max(holding.total, total);
    holding.answeredAt = now;
    this.holdings.set(name, holding);
  }

  /** The round trip that was to take credits ahead for `name` failed. */
  abandon(name: string): void {
    const holding = this.holdings.peek(name);
    if (holding !== undefined) holding.takingAhead = false;
  }

  /** Names held, for tests of the bound. */
  get size(): number {
    return this.holdings.size;
  }
}

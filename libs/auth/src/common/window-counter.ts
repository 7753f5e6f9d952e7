import { type BoundedMap, boundedMap } from './bounded-map';

/** A count in a window (see WindowCounter.count). */
export interface WindowCount {
  count: number;
  /** Milliseconds until the window ends and the count starts over. */
  msLeft: number;
}

interface Window {
  count: number;
  endsAt: number;
}

/** Windows kept at most by default; about 100 bytes each. */
export const MAX_WINDOWS = 100_000;

/**
 * Counts per name in fixed windows that start at a name's first count: what Redis counts for
 * the instances together (SharedStore.countInWindow), here in this instance's memory. Each
 * count is O(1), whatever the rate: a log of every hit in the window, as @nestjs/throttler's
 * in-memory storage keeps, costs a pass over up to the limit's hits per request.
 *
 * Memory is bounded: past `maxWindows`, the windows started first go, ended ones before any
 * running one (every window of a counter lasts as long); dropping a running one forgives its
 * count, which is all a flood of made-up addresses can do.
 */
export class WindowCounter {
  /** In start order: a window that starts over moves to the end. */
  private readonly windows: BoundedMap<Window>;

  constructor(maxWindows = MAX_WINDOWS) {
    this.windows = boundedMap<Window>(maxWindows);
  }

  count(name: string, windowMs: number, now = Date.now()): WindowCount {
    let window = this.windows.peek(name);
    if (!window || window.endsAt <= now) {
      window = { count: 0, endsAt: now + windowMs };
      this.windows.set(name, window);
    }
    window.count += 1;
    return { count: window.count, msLeft: window.endsAt - now };
  }

  /** Windows kept, for tests of the bound. */
  get size(): number {
    return this.windows.size;
  }
}

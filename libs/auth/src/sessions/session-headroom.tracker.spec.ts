import { MAX_TRACKED_KEYS, SessionHeadroomTracker } from './session-headroom.tracker';

describe('SessionHeadroomTracker', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** Begins and finishes an opening of `key`; a count records `headroom`. */
  function openOnce(tracker: SessionHeadroomTracker, key: string, headroom = 0, ordered = true) {
    const opening = tracker.begin(key);
    if (opening.kind === 'count') tracker.record(opening, headroom, Date.now(), ordered);
    tracker.finish(opening);
    return opening.kind;
  }

  it('spends a fresh count, then is at the cap, then counts again after a second', () => {
    const tracker = new SessionHeadroomTracker();
    expect(openOnce(tracker, 'k', 2)).toBe('count');
    expect(openOnce(tracker, 'k')).toBe('within-cap');
    expect(openOnce(tracker, 'k')).toBe('within-cap');
    expect(openOnce(tracker, 'k')).toBe('at-cap');
    jest.advanceTimersByTime(1001);
    expect(openOnce(tracker, 'k')).toBe('count');
  });

  it('forgets a key on a local revocation, and ignores a count begun before it', () => {
    const tracker = new SessionHeadroomTracker();
    openOnce(tracker, 'k', 0);
    expect(openOnce(tracker, 'k')).toBe('at-cap');
    tracker.forget('k');
    // A count in progress when the key is forgotten may predate the revocation: not kept.
    const racing = tracker.begin('k');
    expect(racing.kind).toBe('count');
    tracker.forget('k');
    tracker.record(racing, 0, Date.now(), true);
    tracker.finish(racing);
    expect(openOnce(tracker, 'k', 0)).toBe('count');
    expect(openOnce(tracker, 'k')).toBe('at-cap');
  });

  it('does not trust, at the cap, an unordered count that ran alongside another opening', () => {
    const tracker = new SessionHeadroomTracker();
    const a = tracker.begin('k');
    const b = tracker.begin('k');
    tracker.record(a, 0, Date.now(), false);
    tracker.finish(a);
    tracker.finish(b);
    expect(openOnce(tracker, 'k', 0, false)).toBe('count');
    // Alone, it is trusted.
    expect(openOnce(tracker, 'k')).toBe('at-cap');
  });

  it('keeps at most MAX_TRACKED_KEYS keys, dropping the least recently counted', () => {
    const tracker = new SessionHeadroomTracker();
    for (let i = 0; i <= MAX_TRACKED_KEYS; i += 1) openOnce(tracker, `k${i}`, 0);
    expect(openOnce(tracker, 'k0')).toBe('count');
    expect(openOnce(tracker, `k${MAX_TRACKED_KEYS}`)).toBe('at-cap');
  });
});

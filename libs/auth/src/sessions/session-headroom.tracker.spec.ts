import { MAX_TRACKED_KEYS, SessionHeadroomTracker } from './session-headroom.tracker';

describe('SessionHeadroomTracker', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** Session ids in creation order, as UUIDv7s are. */
  let sessions = 0;
  const nextSessionId = () => `s${String((sessions += 1)).padStart(6, '0')}`;

  /** Begins and finishes an opening of `key`; a count records `headroom`. */
  async function openOnce(tracker: SessionHeadroomTracker, key: string, headroom = 0) {
    const opening = await tracker.begin(key, true, nextSessionId());
    if (opening.kind === 'count') tracker.record(opening, headroom, Date.now());
    tracker.finish(opening);
    return opening.kind;
  }

  /** Whether `promise` has settled once pending callbacks have run. */
  async function settled(promise: Promise<unknown>): Promise<boolean> {
    let done = false;
    void promise.then(() => (done = true));
    for (let i = 0; i < 10; i += 1) await Promise.resolve();
    return done;
  }

  it('spends a fresh count, then is at the cap, then counts again after a second', async () => {
    const tracker = new SessionHeadroomTracker();
    expect(await openOnce(tracker, 'k', 2)).toBe('count');
    expect(await openOnce(tracker, 'k')).toBe('within-cap');
    expect(await openOnce(tracker, 'k')).toBe('within-cap');
    expect(await openOnce(tracker, 'k')).toBe('at-cap');
    jest.advanceTimersByTime(1001);
    expect(await openOnce(tracker, 'k')).toBe('count');
  });

  it('forgets a key on a local revocation, and ignores a count begun before it', async () => {
    const tracker = new SessionHeadroomTracker();
    await openOnce(tracker, 'k', 0);
    expect(await openOnce(tracker, 'k')).toBe('at-cap');
    tracker.forget('k');
    // A count in progress when the key is forgotten may predate the revocation: not kept.
    const racing = await tracker.begin('k', true, nextSessionId());
    expect(racing.kind).toBe('count');
    tracker.forget('k');
    tracker.record(racing, 0, Date.now());
    tracker.finish(racing);
    expect(await openOnce(tracker, 'k', 0)).toBe('count');
    expect(await openOnce(tracker, 'k')).toBe('at-cap');
  });

  it('where writes overlap, runs a count alone among the openings of its key', async () => {
    const tracker = new SessionHeadroomTracker();
    // Two openings of k with room left are in progress when its count is due.
    await openOnce(tracker, 'k', 5);
    const [first, second] = [
      await tracker.begin('k', false, nextSessionId()),
      await tracker.begin('k', false, nextSessionId()),
    ];
    expect([first.kind, second.kind]).toEqual(['within-cap', 'within-cap']);
    jest.advanceTimersByTime(1001);
    const count = tracker.begin('k', false, nextSessionId());
    // The count waits for both; an opening begun meanwhile waits for the count.
    const meanwhile = tracker.begin('k', false, nextSessionId());
    const otherKey = tracker.begin('other', false, nextSessionId());
    expect(await settled(otherKey)).toBe(true);
    tracker.finish(first);
    expect(await settled(count)).toBe(false);
    tracker.finish(second);
    expect(await settled(count)).toBe(true);
    const counting = await count;
    expect(counting.kind).toBe('count');
    expect(await settled(meanwhile)).toBe(false);
    tracker.record(counting, 0, Date.now());
    tracker.finish(counting);
    // It goes on with the count's result: the key is at its cap.
    expect((await meanwhile).kind).toBe('at-cap');
  });

  it('where writes do not overlap, counts without waiting, and openings begun meanwhile wait for it', async () => {
    const tracker = new SessionHeadroomTracker();
    await openOnce(tracker, 'k', 5);
    const inProgress = await tracker.begin('k', true, nextSessionId());
    expect(inProgress.kind).toBe('within-cap');
    jest.advanceTimersByTime(1001);
    // The count does not wait for the opening in progress: their writes run in order.
    const count = tracker.begin('k', true, nextSessionId());
    expect(await settled(count)).toBe(true);
    const counting = await count;
    expect(counting.kind).toBe('count');
    // An opening begun during the count waits for its result instead of counting too.
    const meanwhile = tracker.begin('k', true, nextSessionId());
    expect(await settled(meanwhile)).toBe(false);
    tracker.record(counting, 0, Date.now());
    tracker.finish(counting);
    expect((await meanwhile).kind).toBe('at-cap');
    tracker.finish(inProgress);
  });

  it('remembers the newest session revoked as the oldest, across counts and forgetting', async () => {
    const tracker = new SessionHeadroomTracker();
    await openOnce(tracker, 'k', 0);
    expect((await tracker.begin('k', true, nextSessionId())).revokedUpTo).toBe('');
    tracker.revokedOldest('k', 's2');
    tracker.revokedOldest('k', 's1');
    expect((await tracker.begin('k', true, nextSessionId())).revokedUpTo).toBe('s2');
    tracker.forget('k');
    jest.advanceTimersByTime(1001);
    await openOnce(tracker, 'k', 0);
    const atCap = await tracker.begin('k', true, nextSessionId());
    expect(atCap.kind).toBe('at-cap');
    expect(atCap.revokedUpTo).toBe('s2');
  });

  it('at the cap, bounds the search by the oldest session of the key still being opened here', async () => {
    const tracker = new SessionHeadroomTracker();
    await openOnce(tracker, 'k', 0);
    const [older, newer] = [nextSessionId(), nextSessionId()];
    // Begun in id order, as the server does: the newer opening may revoke only what is older
    // than the older one's session, which may not be committed when the newer one's write runs.
    const first = await tracker.begin('k', false, older);
    const second = await tracker.begin('k', false, newer);
    expect([first.kind, second.kind]).toEqual(['at-cap', 'at-cap']);
    expect([first.revokeBelow, second.revokeBelow]).toEqual([older, older]);
    tracker.finish(first);
    const third = await tracker.begin('k', false, nextSessionId());
    expect(third.revokeBelow).toBe(newer);
    tracker.finish(second);
    tracker.finish(third);
    const alone = nextSessionId();
    expect((await tracker.begin('k', false, alone)).revokeBelow).toBe(alone);
  });

  it('keeps at most MAX_TRACKED_KEYS keys, dropping the least recently counted', async () => {
    const tracker = new SessionHeadroomTracker();
    for (let i = 0; i <= MAX_TRACKED_KEYS; i += 1) await openOnce(tracker, `k${i}`, 0);
    expect(await openOnce(tracker, 'k0')).toBe('count');
    expect(await openOnce(tracker, `k${MAX_TRACKED_KEYS}`)).toBe('at-cap');
  });
});

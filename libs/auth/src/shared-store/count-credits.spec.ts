import { CREDIT_LIFETIME_MS, CountCredits, MAX_CREDITS } from './count-credits';

describe('CountCredits', () => {
  const LIMIT = 30_000;

  it('takes nothing ahead on a name without a recent round trip, or without a limit', () => {
    const credits = new CountCredits();
    expect(credits.extraFor('a', LIMIT, 1000)).toBe(0);
    credits.record('a', 5, 0, 60_000, 1000);
    expect(credits.extraFor('a', undefined, 1100)).toBe(0);
    expect(credits.extraFor('a', LIMIT, 1000 + CREDIT_LIFETIME_MS)).toBe(0);
    expect(credits.take('a', 1100)).toBeUndefined();
  });

  it('takes at most MAX_CREDITS, and a sixteenth of what remains of the limit', () => {
    const credits = new CountCredits();
    credits.record('a', 10, 0, 60_000, 1000);
    expect(credits.extraFor('a', LIMIT, 1100)).toBe(MAX_CREDITS);
    credits.record('b', 2000, 0, 60_000, 1000);
    expect(credits.extraFor('b', 2800, 1100)).toBe(50);
    // Near the limit every count is its own again.
    credits.record('c', LIMIT - 200, 0, 60_000, 1000);
    expect(credits.extraFor('c', LIMIT, 1100)).toBe(0);
  });

  it('gives each credit its own place in the shared total, the last ones of the round trip', () => {
    const credits = new CountCredits();
    // The round trip added 7 counts for this turn's requests and 3 ahead: the total is 40.
    credits.record('a', 40, 3, 60_000, 1000);
    expect(credits.take('a', 1100)).toEqual({ count: 38, msLeft: 59_900 });
    expect(credits.take('a', 1200)).toEqual({ count: 39, msLeft: 59_800 });
    expect(credits.take('a', 1300)).toEqual({ count: 40, msLeft: 59_700 });
    expect(credits.take('a', 1400)).toBeUndefined();
    expect(credits.take('b', 1400)).toBeUndefined();
  });

  it('takes ahead in one round trip at a time, keeping what an earlier one took', () => {
    const credits = new CountCredits();
    credits.record('a', 10, 0, 60_000, 1000);
    expect(credits.extraFor('a', LIMIT, 1010)).toBe(MAX_CREDITS);
    // A second round trip while the first is under way counts only its own requests...
    expect(credits.extraFor('a', LIMIT, 1011)).toBe(0);
    // ...and may answer first: its answer takes nothing ahead.
    credits.record('a', 12, 0, 59_989, 1012);
    credits.record('a', 12 + 3 + MAX_CREDITS, MAX_CREDITS, 59_985, 1015);
    // Then the second one's answer (no credits) does not drop the first one's.
    credits.record('a', 100, 0, 59_980, 1020);
    expect(credits.take('a', 1021)?.count).toBe(16);
    // A failed round trip lets the next one take ahead again.
    expect(credits.extraFor('a', LIMIT, 1022)).toBe(MAX_CREDITS);
    credits.abandon('a');
    expect(credits.extraFor('a', LIMIT, 1023)).toBe(MAX_CREDITS);
  });

  it('asks once for the next credits when half of the last ones are used, away from the limit', () => {
    const credits = new CountCredits();
    credits.record('a', 10, 0, 60_000, 1000);
    expect(credits.extraFor('a', LIMIT, 1001)).toBe(MAX_CREDITS);
    credits.record('a', 11 + MAX_CREDITS, MAX_CREDITS, 59_998, 1002);
    for (let used = 1; used < MAX_CREDITS / 2; used += 1) {
      credits.take('a', 1003);
      expect(credits.topUpDue('a', LIMIT, 1003)).toBe(false);
    }
    credits.take('a', 1003);
    expect(credits.topUpDue('a', LIMIT, 1003)).toBe(true);
    // Asked once: no second top-up until its round trip has run.
    expect(credits.topUpDue('a', LIMIT, 1003)).toBe(false);
    expect(credits.extraFor('a', LIMIT, 1004)).toBe(MAX_CREDITS);
    expect(credits.topUpDue('a', LIMIT, 1004)).toBe(false);
    credits.record('a', 11 + 2 * MAX_CREDITS, MAX_CREDITS, 59_996, 1005);
    // Near the limit, no top-up: every count is its own there.
    credits.record('b', 40, 3, 60_000, 1000);
    credits.take('b', 1001);
    credits.take('b', 1001);
    expect(credits.topUpDue('b', 200, 1001)).toBe(false);
    expect(credits.topUpDue('b', LIMIT, 1001)).toBe(true);
  });

  it('counts its own unanswered counts for the name as added before taking ahead', () => {
    const credits = new CountCredits();
    credits.record('a', 10, 0, 60_000, 1000);
    // 800 counts of this instance on their way (a burst outrunning Redis' answers): under a
    // limit of 1000, what is left once they land is too little to take anything ahead.
    credits.sent('a', 800);
    expect(credits.extraFor('a', 1000, 1001)).toBe(0);
    expect(credits.topUpDue('a', 1000, 1001)).toBe(false);
    // Under 1800 a sixteenth of what is left once they land, not of 1790.
    expect(credits.extraFor('a', 1800, 1001)).toBe(Math.floor((1800 - 10 - 800) / 16));
    credits.record('a', 10, 0, 60_000, 1002);
    credits.settled('a', 800);
    credits.abandon('a');
    expect(credits.extraFor('a', 1000, 1003)).toBe(Math.floor(990 / 16));
  });

  it('drops credits of a window that ended when an answer comes from the next one', () => {
    const credits = new CountCredits();
    credits.record('a', 40, 3, 60_000, 1000);
    // The key expired early (Redis restarted, say): the answer is of a new window.
    credits.record('a', 5, 0, 60_000, 2000);
    expect(credits.take('a', 2001)).toBeUndefined();
  });

  it('lets credits lapse after their lifetime and with their window', () => {
    const credits = new CountCredits();
    credits.record('a', 40, 3, 60_000, 1000);
    expect(credits.take('a', 1000 + CREDIT_LIFETIME_MS)).toBeUndefined();
    credits.record('b', 40, 3, 500, 1000);
    expect(credits.take('b', 1500)).toBeUndefined();
    expect(credits.extraFor('b', LIMIT, 1500)).toBe(0);
  });

  it('remembers a bounded number of names, forgetting the least recently counted', () => {
    const credits = new CountCredits();
    for (let i = 0; i <= 10_000; i += 1) credits.record(`name-${i}`, 40, 3, 60_000, 1000);
    expect(credits.size).toBe(10_000);
    expect(credits.take('name-0', 1100)).toBeUndefined();
    expect(credits.take('name-10000', 1100)).toEqual({ count: 38, msLeft: 59_900 });
  });
});

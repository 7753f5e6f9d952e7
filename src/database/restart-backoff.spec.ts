import { RestartBackoff } from './restart-backoff';

describe('RestartBackoff', () => {
  it('doubles from the first delay up to the cap, and starts over after a success', () => {
    const backoff = new RestartBackoff(1000, 30_000);
    const delays = Array.from({ length: 8 }, () => backoff.next());
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    backoff.succeeded();
    expect(backoff.next()).toBe(1000);
  });
});

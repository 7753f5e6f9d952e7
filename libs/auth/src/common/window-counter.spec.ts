import { WindowCounter } from './window-counter';

describe('WindowCounter', () => {
  it('counts per name in a window from the first count, then starts over', () => {
    const counter = new WindowCounter();
    expect(counter.count('a', 60_000, 1000)).toEqual({ count: 1, msLeft: 60_000 });
    expect(counter.count('a', 60_000, 31_000)).toEqual({ count: 2, msLeft: 30_000 });
    expect(counter.count('b', 60_000, 31_000)).toEqual({ count: 1, msLeft: 60_000 });
    expect(counter.count('a', 60_000, 61_000)).toEqual({ count: 1, msLeft: 60_000 });
  });

  it('keeps at most its bound, dropping the windows started first', () => {
    const counter = new WindowCounter(3);
    for (const name of ['a', 'b', 'c', 'd']) counter.count(name, 60_000, 1000);
    expect(counter.size).toBe(3);
    // 'a' was dropped (its count forgiven); 'd' kept its own.
    expect(counter.count('a', 60_000, 2000).count).toBe(1);
    expect(counter.count('d', 60_000, 2000).count).toBe(2);
  });
});

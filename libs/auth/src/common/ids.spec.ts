import { UUID_PATTERN, uuidv7, uuidv7Floor } from './ids';

describe('uuidv7', () => {
  it('makes version-7 UUIDs that sort in creation order, within a millisecond too', () => {
    const ids = Array.from({ length: 2000 }, () => uuidv7());
    for (const id of ids) expect(id).toMatch(UUID_PATTERN);
    expect(ids[0][14]).toBe('7');
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('gives every id its own random bits, across refills of the random pool', () => {
    // 2000 ids use 32 000 random bytes: several refills of the 4 KiB pool.
    const randomParts = Array.from({ length: 2000 }, () => uuidv7().slice(19).replace('-', ''));
    for (const part of randomParts) expect(part).toMatch(/^[89ab][0-9a-f]{15}$/);
    expect(new Set(randomParts).size).toBe(randomParts.length);
  });
});

describe('uuidv7Floor', () => {
  it('sorts above every id made before its millisecond and below every id made in it or after', () => {
    const before = uuidv7();
    const ms = Date.now() + 2;
    while (Date.now() < ms) {
      // Busy-wait into millisecond `ms`.
    }
    const at = uuidv7();
    const floor = uuidv7Floor(ms);
    expect(floor).toMatch(UUID_PATTERN);
    expect(before < floor).toBe(true);
    expect(floor < at).toBe(true);
    expect(uuidv7Floor(0)).toBe('00000000-0000-0000-0000-000000000000');
  });
});

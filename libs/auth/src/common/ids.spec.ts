import { UUID_PATTERN, uuidv7 } from './ids';

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

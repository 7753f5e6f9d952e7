import { UUID_PATTERN, uuidv7 } from './ids';

describe('uuidv7', () => {
  it('makes version-7 UUIDs that sort in creation order, within a millisecond too', () => {
    const ids = Array.from({ length: 2000 }, () => uuidv7());
    for (const id of ids) expect(id).toMatch(UUID_PATTERN);
    expect(ids[0][14]).toBe('7');
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });
});

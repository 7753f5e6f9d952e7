import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth';

/** `levels` nested objects (or arrays): `{"a":{"a":…{}}}` has `levels` levels. */
function nested(levels: number, array = false): unknown {
  let value: unknown = array ? [] : {};
  for (let i = 1; i < levels; i += 1) value = array ? [value] : { a: value };
  return value;
}

describe('nestsDeeperThan', () => {
  it('accepts 32 levels and refuses 33, for objects and arrays', () => {
    expect(MAX_JSON_DEPTH).toBe(32);
    expect(nestsDeeperThan(nested(32))).toBe(false);
    expect(nestsDeeperThan(nested(33))).toBe(true);
    expect(nestsDeeperThan(nested(32, true))).toBe(false);
    expect(nestsDeeperThan(nested(33, true))).toBe(true);
  });

  it('finds a deep branch beside shallow ones', () => {
    expect(nestsDeeperThan({ a: 1, b: { c: [1, 2] }, d: nested(32) })).toBe(true);
    expect(nestsDeeperThan({ a: 1, b: { c: [1, 2] }, d: nested(31) })).toBe(false);
  });

  it('answers scalars and flat bodies false', () => {
    for (const value of [undefined, null, 1, 'x', {}, [], { a: 'b', c: 1 }]) {
      expect(nestsDeeperThan(value)).toBe(false);
    }
  });

  it('does not overflow the stack on 100 000 levels', () => {
    expect(nestsDeeperThan(JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)))).toBe(true);
  });
});

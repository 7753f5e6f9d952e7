import { manyKeysSql } from './batched-pg-read';

describe('manyKeysSql', () => {
  it('turns the one key match into a match of an array of keys', () => {
    expect(manyKeysSql('SELECT id FROM api_users WHERE id = $1')).toBe(
      'SELECT id FROM api_users WHERE id = ANY($1::text[])',
    );
  });

  it('refuses SQL without exactly one "= $1"', () => {
    expect(() => manyKeysSql('SELECT id FROM api_users WHERE id = $2')).toThrow(/exactly one/);
    expect(() => manyKeysSql('SELECT 1 WHERE a = $1 OR b = $1')).toThrow(/exactly one/);
    expect(() => manyKeysSql('SELECT 1 WHERE a = $10')).toThrow(/exactly one/);
  });
});

import { createHash, randomBytes } from 'node:crypto';
import { issueRefreshToken, refreshTokenKey } from './refresh-token-key';

const sha256 = (value: string, encoding: 'hex' | 'base64url') =>
  createHash('sha256').update(value).digest(encoding);

describe('refresh token keys', () => {
  it('issues a base64url token whose key is its issue instant and its SHA-256', () => {
    const now = Date.UTC(2026, 10, 22, 12, 0, 0, 123);
    const { token, key } = issueRefreshToken(now);
    expect(token).toMatch(/^[A-Za-z0-9_-]{51}$/);
    expect(Buffer.from(token, 'base64url').readUIntBE(0, 6)).toBe(now);
    expect(key).toBe(now.toString(16).padStart(12, '0') + sha256(token, 'base64url'));
    expect(key).toHaveLength(55);
    expect(refreshTokenKey(token)).toBe(key);
  });

  it('draws 256 random bits for every token', () => {
    const now = Date.now();
    const secrets = Array.from({ length: 200 }, () =>
      Buffer.from(issueRefreshToken(now).token, 'base64url').subarray(6).toString('hex'),
    );
    expect(new Set(secrets).size).toBe(200);
    expect(secrets.every((secret) => secret.length === 64)).toBe(true);
  });

  it('orders keys by issue instant, so new keys go to the end of the index', () => {
    const start = Date.now();
    const keys = Array.from({ length: 50 }, (_, i) => issueRefreshToken(start + i * 7).key);
    // Plain string comparison, as SQLite's BINARY collation and any PostgreSQL collation order
    // lowercase hex digits.
    expect([...keys].sort()).toEqual(keys);
  });

  it('keys a token issued before keys carried time by its hex SHA-256, as it was stored', () => {
    const legacy = randomBytes(32).toString('base64url');
    expect(legacy).toHaveLength(43);
    expect(refreshTokenKey(legacy)).toBe(sha256(legacy, 'hex'));
  });

  it('gives a forged instant a different key', () => {
    const { token, key } = issueRefreshToken(Date.now());
    const bytes = Buffer.from(token, 'base64url');
    bytes.writeUIntBE(bytes.readUIntBE(0, 6) + 1, 0, 6);
    const forged = bytes.toString('base64url');
    expect(refreshTokenKey(forged)).not.toBe(key);
    expect(refreshTokenKey(forged).slice(12)).not.toBe(key.slice(12));
  });

  it('keys input of any other length as a token of the old form', () => {
    for (const input of ['', 'x', 'a'.repeat(50), 'a'.repeat(52), 'a'.repeat(512)]) {
      expect(refreshTokenKey(input)).toBe(sha256(input, 'hex'));
    }
    // 51 characters that are not base64url cannot take the old form's 64-character key.
    for (const input of ['!'.repeat(51), 'é'.repeat(51)]) {
      expect(refreshTokenKey(input)).not.toHaveLength(64);
    }
  });
});

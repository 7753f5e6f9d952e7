import { crc32 } from 'node:zlib';
import { base62Crc32, hasValidChecksum, newApiKeySecret } from './api-key-secret';

/** The checksum as a scanner would compute it, written out independently: BigInt base 62. */
function referenceChecksum(body: string): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  let n = BigInt(crc32(Buffer.from(body, 'utf8')));
  let out = '';
  while (n > 0n) {
    out = alphabet[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out.padStart(6, '0');
}

describe('API key secrets', () => {
  it('keep the plain format without a prefix', () => {
    expect(newApiKeySecret(undefined)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newApiKeySecret('')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('are prefix, 43 random characters and a base62 CRC32 checksum with a prefix', () => {
    const secrets = new Set<string>();
    for (let i = 0; i < 200; i += 1) {
      const secret = newApiKeySecret('kr_');
      expect(secret).toMatch(/^kr_[A-Za-z0-9_-]{43}[0-9A-Za-z]{6}$/);
      expect(secret.slice(-6)).toBe(referenceChecksum(secret.slice(0, -6)));
      expect(hasValidChecksum(secret, 'kr_')).toBe(true);
      secrets.add(secret);
    }
    expect(secrets.size).toBe(200);
  });

  it('checksums that a scanner can check: any change breaks them', () => {
    expect(base62Crc32('')).toBe('000000');
    expect(base62Crc32('kr_abc')).toBe(referenceChecksum('kr_abc'));
    const secret = newApiKeySecret('kr_');
    const flipped = `${secret.slice(0, 10)}${secret[10] === 'A' ? 'B' : 'A'}${secret.slice(11)}`;
    expect(hasValidChecksum(flipped, 'kr_')).toBe(false);
    expect(hasValidChecksum(secret, 'xx_')).toBe(false);
    expect(hasValidChecksum(secret.slice(0, -1), 'kr_')).toBe(false);
  });
});

import { KeyEncryption } from './key-encryption';

describe('KeyEncryption', () => {
  const pem = '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n';
  const secret = 'a-long-enough-secret-0123456789abcdef';
  const other = 'another-secret-0123456789abcdefghij';

  it('seals and opens with the same secret', () => {
    const encryption = new KeyEncryption(secret);
    const sealed = encryption.seal(pem);
    expect(sealed).not.toContain('PRIVATE KEY');
    expect(sealed).not.toBe(encryption.seal(pem));
    expect(encryption.open(sealed)).toEqual({ pem, stale: false });
  });

  it('requires a secret of at least 32 characters: nothing is ever stored in clear', () => {
    expect(() => new KeyEncryption(undefined as unknown as string)).toThrow(/at least 32/);
    expect(() => new KeyEncryption('x'.repeat(31))).toThrow(/at least 32/);
    expect(() => new KeyEncryption(secret, 'short')).toThrow(/at least 32/);
  });

  it('reads a clear key of an earlier version and reports it stale, to be sealed', () => {
    expect(new KeyEncryption(secret).open(pem)).toEqual({ pem, stale: true });
  });

  it('opens keys sealed under the previous secret and reports them stale', () => {
    const sealedBefore = new KeyEncryption(other).seal(pem);
    expect(new KeyEncryption(secret, other).open(sealedBefore)).toEqual({ pem, stale: true });
    expect(() => new KeyEncryption(secret).open(sealedBefore)).toThrow(/secret is wrong/);
  });

  it('refuses a wrong secret and a tampered envelope', () => {
    const sealed = new KeyEncryption(secret).seal(pem);
    expect(() => new KeyEncryption(other).open(sealed)).toThrow(/secret is wrong/);
    const tampered = `${sealed.slice(0, -4)}AAAA`;
    expect(() => new KeyEncryption(secret).open(tampered)).toThrow();
  });
});

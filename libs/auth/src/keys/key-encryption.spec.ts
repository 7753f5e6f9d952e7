import { KeyEncryption } from './key-encryption';

describe('KeyEncryption', () => {
  const pem = '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n';

  it('seals and opens with the same secret', () => {
    const encryption = new KeyEncryption('a-long-enough-secret-0123456789abcdef');
    const sealed = encryption.seal(pem);
    expect(sealed).not.toContain('PRIVATE KEY');
    expect(sealed).not.toBe(encryption.seal(pem));
    expect(encryption.open(sealed)).toBe(pem);
  });

  it('stores in clear without a secret, and reads clear keys with one', () => {
    expect(new KeyEncryption(undefined).seal(pem)).toBe(pem);
    expect(new KeyEncryption('a-long-enough-secret-0123456789abcdef').open(pem)).toBe(pem);
  });

  it('refuses a wrong secret, a missing secret and a tampered envelope', () => {
    const sealed = new KeyEncryption('a-long-enough-secret-0123456789abcdef').seal(pem);
    expect(() => new KeyEncryption('another-secret-0123456789abcdefghij').open(sealed)).toThrow(
      /secret is wrong/,
    );
    expect(() => new KeyEncryption(undefined).open(sealed)).toThrow(/no key-encryption secret/);
    const tampered = `${sealed.slice(0, -4)}AAAA`;
    expect(() =>
      new KeyEncryption('a-long-enough-secret-0123456789abcdef').open(tampered),
    ).toThrow();
  });
});

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const PREFIX = 'aes256gcm.v1.';

/**
 * Envelope for private keys at rest: AES-256-GCM under a key derived (HKDF-SHA256) from the
 * configured secret. Stored as `aes256gcm.v1.<iv>.<tag>.<ciphertext>`, base64url parts.
 */
export class KeyEncryption {
  private readonly key: Buffer | undefined;

  constructor(secret: string | undefined) {
    this.key = secret
      ? Buffer.from(
          hkdfSync('sha256', secret, 'auth-server/signing-keys', 'private-key-envelope', 32),
        )
      : undefined;
  }

  seal(plaintext: string): string {
    if (!this.key) return plaintext;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${PREFIX}${[iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url')).join('.')}`;
  }

  open(stored: string): string {
    if (!stored.startsWith(PREFIX)) return stored;
    if (!this.key) {
      throw new Error(
        'Signing keys are stored encrypted but no key-encryption secret is configured',
      );
    }
    const [iv, tag, ciphertext] = stored
      .slice(PREFIX.length)
      .split('.')
      .map((part) => Buffer.from(part, 'base64url'));
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('A signing key could not be decrypted: the key-encryption secret is wrong');
    }
  }
}

import {
  createCipheriv,
  createDecipheriv,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';

/**
 * Authenticated encryption (AES-256-GCM) under a key derived with HKDF-SHA256 from a shared
 * private key and a purpose label. Sealed values name the key they were sealed under, so a
 * value sealed under a key this instance no longer holds is recognised and refused.
 * Format: `<keyId>.<iv>.<tag>.<ciphertext>`, base64url parts.
 */
export class Sealer {
  private readonly key: Buffer;

  constructor(
    private readonly keyId: string,
    secret: KeyObject,
    purpose: string,
  ) {
    const material = secret.export({ format: 'der', type: 'pkcs8' });
    this.key = Buffer.from(hkdfSync('sha256', material, 'auth-server/sealer', purpose, 32));
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      this.keyId,
      ...[iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url')),
    ].join('.');
  }

  /** The plaintext, or undefined when the value was sealed under another key or altered. */
  open(sealed: string): string | undefined {
    const [keyId, iv, tag, ciphertext] = sealed.split('.');
    if (keyId !== this.keyId || !iv || !tag || ciphertext === undefined) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

/** The key a sealed value names (its first part). */
export function sealedKeyId(sealed: string): string {
  const dot = sealed.indexOf('.');
  return dot < 0 ? '' : sealed.slice(0, dot);
}

/** Seals under the current key; opens what any key still held sealed. */
export interface KeyRingSealer {
  seal(plaintext: string): string;
  open(sealed: string): string | undefined;
}

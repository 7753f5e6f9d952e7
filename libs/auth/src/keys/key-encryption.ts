import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const PREFIX = 'aes256gcm.v1.';

/** Shortest secret accepted: about 192 bits even when it is base64 text. */
export const MIN_KEY_ENCRYPTION_SECRET_LENGTH = 32;

/** A stored private key, opened. */
export interface OpenedKey {
  pem: string;
  /**
   * True when the stored form is not sealed under the current secret (stored in clear by an
   * earlier version, or sealed under the previous secret): the caller re-seals it.
   */
  stale: boolean;
}

/**
 * Envelope for private keys at rest: AES-256-GCM under a key derived (HKDF-SHA256) from the
 * configured secret. Stored as `aes256gcm.v1.<iv>.<tag>.<ciphertext>`, base64url parts.
 * A previous secret, when given, only opens: keys found under it are re-sealed under the
 * current one, so an operator can change the secret.
 */
export class KeyEncryption {
  private readonly key: Buffer;
  private readonly previousKey: Buffer | undefined;

  constructor(secret: string, previousSecret?: string) {
    this.key = deriveKey(secret);
    this.previousKey = previousSecret === undefined ? undefined : deriveKey(previousSecret);
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${PREFIX}${[iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url')).join('.')}`;
  }

  open(stored: string): OpenedKey {
    // A clear PEM left by a version that stored keys unencrypted.
    if (!stored.startsWith(PREFIX)) return { pem: stored, stale: true };
    const current = openWith(this.key, stored);
    if (current !== undefined) return { pem: current, stale: false };
    const previous = this.previousKey ? openWith(this.previousKey, stored) : undefined;
    if (previous !== undefined) return { pem: previous, stale: true };
    throw new Error(
      this.previousKey
        ? 'A signing key could not be decrypted: neither the key-encryption secret nor the previous one is right'
        : 'A signing key could not be decrypted: the key-encryption secret is wrong',
    );
  }
}

function deriveKey(secret: string): Buffer {
  if (typeof secret !== 'string' || secret.length < MIN_KEY_ENCRYPTION_SECRET_LENGTH) {
    throw new Error(
      `A key-encryption secret must be at least ${MIN_KEY_ENCRYPTION_SECRET_LENGTH} characters`,
    );
  }
  return Buffer.from(
    hkdfSync('sha256', secret, 'auth-server/signing-keys', 'private-key-envelope', 32),
  );
}

function openWith(key: Buffer, stored: string): string | undefined {
  const [iv, tag, ciphertext] = stored
    .slice(PREFIX.length)
    .split('.')
    .map((part) => Buffer.from(part, 'base64url'));
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

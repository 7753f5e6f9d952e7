import { crc32 } from 'node:zlib';
import { randomSecret } from '../common/crypto';

/** A secret prefix: letters, digits and `_`, 1 to 16 characters (for example `kr_`). */
export const API_KEY_SECRET_PREFIX_PATTERN = /^[A-Za-z0-9_]{1,16}$/;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 62^6 > 2^32: six base62 digits hold any CRC32. */
const CHECKSUM_LENGTH = 6;

/** CRC32 of `text` (its UTF-8 bytes) in six base62 digits, zero-padded. */
export function base62Crc32(text: string): string {
  let value = crc32(text);
  let digits = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i += 1) {
    digits = BASE62[value % 62] + digits;
    value = Math.floor(value / 62);
  }
  return digits;
}

/**
 * A new API key secret: 256 random bits in base64url (43 characters), as always; with a
 * prefix, `<prefix><43 characters><checksum>`, the checksum being base62 CRC32 of everything
 * before it. A secret scanner recognises such a secret offline: the prefix, the length, and a
 * checksum that holds (see hasValidChecksum).
 */
export function newApiKeySecret(prefix: string | undefined): string {
  const random = randomSecret();
  if (!prefix) return random;
  const body = `${prefix}${random}`;
  return `${body}${base62Crc32(body)}`;
}

/** Whether `secret` is `<prefix><43 base64url characters><its checksum>`. */
export function hasValidChecksum(secret: string, prefix: string): boolean {
  const expectedLength = prefix.length + 43 + CHECKSUM_LENGTH;
  if (secret.length !== expectedLength || !secret.startsWith(prefix)) return false;
  const body = secret.slice(0, -CHECKSUM_LENGTH);
  if (!/^[A-Za-z0-9_-]{43}$/.test(body.slice(prefix.length))) return false;
  return base62Crc32(body) === secret.slice(-CHECKSUM_LENGTH);
}

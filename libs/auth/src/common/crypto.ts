import { hash, timingSafeEqual } from 'node:crypto';
import { secretBytes } from './secret-bytes';

/** 32 random bytes, base64url: the form of every secret and opaque token we hand out. */
export function randomSecret(bytes = 32): string {
  return secretBytes(bytes).toString('base64url');
}

/** 16 random bytes, base64url (22 characters): public identifiers such as `api_key_id`. */
export function randomPublicId(): string {
  return secretBytes(16).toString('base64url');
}

/*
 * The digests below use the one-shot `crypto.hash` (Node 20.12+), not `createHash`: for inputs
 * this short it is a third of the time (about 0.27 against 0.77 µs here), as it builds no Hash
 * object; a refresh hashes two tokens and a token exchange one secret.
 */

/**
 * SHA-256 of a high-entropy secret, hex encoded. Secrets carry 256 bits of entropy, so a
 * fast hash is enough: a slow password hash would only cap throughput.
 */
export function sha256Hex(value: string): string {
  return hash('sha256', value, 'hex');
}

/** SHA-256 of a high-entropy secret, base64url encoded (43 characters). */
export function sha256Base64url(value: string): string {
  return hash('sha256', value, 'base64url');
}

/** Constant-time comparison of two hex digests of equal expected length. */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  if (left.length !== right.length || left.length === 0) {
    return false;
  }
  return timingSafeEqual(left, right);
}

/** Checks a presented secret against a stored SHA-256 digest in constant time. */
export function secretMatchesDigest(secret: string, storedDigest: string): boolean {
  return digestsEqual(sha256Hex(secret), storedDigest);
}

/** Base64url characters only: identifiers and tokens we issue never contain anything else. */
export const BASE64URL_PATTERN = /^[A-Za-z0-9_-]+$/;

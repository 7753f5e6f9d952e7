import { sha256Base64url, sha256Hex } from '../common/crypto';
import { secretBytes } from '../common/secret-bytes';

/*
 * Refresh tokens are looked up by a key stored in `refresh_tokens.token_hash`. A bare SHA-256
 * of the token is uniformly random, so every new token lands in a random leaf of that index:
 * with millions of rows, each rotation reads one cold leaf and dirties another, and the index's
 * working set is all of it. So a token starts with the instant it was issued, in the clear,
 * and its key starts with that instant: new keys go to the right edge of the index, and the
 * tokens being exchanged (issued minutes or days ago) sit in the recent part of it.
 *
 * The instant is public: it tells the holder when the token was issued, which they know. The
 * key is that instant followed by the SHA-256 of the whole token, so the stored value still
 * reveals nothing that could be exchanged, and altering the instant changes the hash.
 */

/** Milliseconds since the epoch, big-endian, in 6 bytes: enough until the year 10889. */
const ISSUED_BYTES = 6;
/** 256 bits from the CSPRNG, like every other secret we hand out. */
const SECRET_BYTES = 32;
/** Base64url of 6 + 32 bytes, without padding. */
const ISSUED_TOKEN_LENGTH = Math.ceil(((ISSUED_BYTES + SECRET_BYTES) * 8) / 6);
/** Base64url characters that encode exactly the 6 issued bytes. */
const ISSUED_CHARS = (ISSUED_BYTES * 8) / 6;

export interface IssuedRefreshToken {
  /** Handed to the client once, never stored. */
  token: string;
  /** What `refresh_tokens.token_hash` stores for it. */
  key: string;
}

/** A new refresh token issued at `now`, and its storage key. */
export function issueRefreshToken(now: number): IssuedRefreshToken {
  const bytes = secretBytes(ISSUED_BYTES + SECRET_BYTES);
  bytes.writeUIntBE(now, 0, ISSUED_BYTES);
  const token = bytes.toString('base64url');
  return { token, key: keyOf(bytes.toString('hex', 0, ISSUED_BYTES), token) };
}

/**
 * The storage key of a presented refresh token: 12 hex digits of its issue instant followed by
 * the base64url SHA-256 of the token (55 characters). Tokens issued before keys carried their
 * time were 43 characters and are keyed by their hex SHA-256 alone (64 characters), so they stay
 * valid after an upgrade; the two key forms can never be equal, as their lengths differ.
 */
export function refreshTokenKey(token: string): string {
  if (token.length !== ISSUED_TOKEN_LENGTH) return sha256Hex(token);
  return keyOf(Buffer.from(token.slice(0, ISSUED_CHARS), 'base64url').toString('hex'), token);
}

/** The one place the key's form is written: issue instant in hex, then the token's SHA-256. */
function keyOf(issuedHex: string, token: string): string {
  return issuedHex + sha256Base64url(token);
}

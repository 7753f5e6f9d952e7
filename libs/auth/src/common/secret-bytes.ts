import { randomFillSync } from 'node:crypto';

/**
 * Random bytes drawn from the CSPRNG 4 KiB at a time. One `randomBytes` call costs about 2.4 µs
 * here whatever its size, more than the rest of making a refresh token or an id, and both are
 * made on every token request; a slice of a pooled draw costs about 0.2 µs. Node's own
 * `randomUUID` pools its randomness the same way.
 *
 * Each slice is copied out and its bytes in the pool are zeroed at once, so the pool never holds
 * bytes that have been handed out: a later leak of the pool's memory reveals only bytes not yet
 * used for anything, never a secret already issued.
 */
export class RandomBytePool {
  private readonly pool: Buffer;
  /** Bytes before this offset have been handed out (and zeroed); the pool starts used up. */
  private offset: number;

  constructor(
    size = 4096,
    private readonly fill: (buffer: Buffer) => void = randomFillSync,
  ) {
    this.pool = Buffer.alloc(size);
    this.offset = size;
  }

  /** `length` fresh random bytes in a buffer of their own. */
  take(length: number): Buffer {
    if (length > this.pool.length) {
      const bytes = Buffer.alloc(length);
      this.fill(bytes);
      return bytes;
    }
    if (this.offset + length > this.pool.length) {
      this.fill(this.pool);
      this.offset = 0;
    }
    const bytes = Buffer.from(this.pool.subarray(this.offset, this.offset + length));
    this.pool.fill(0, this.offset, this.offset + length);
    this.offset += length;
    return bytes;
  }
}

/** The secrets' pool (refresh tokens, API key secrets); ids have their own (common/ids.ts). */
const secretPool = new RandomBytePool();

/** `length` bytes from the CSPRNG for a secret, each handed out once. */
export function secretBytes(length: number): Buffer {
  return secretPool.take(length);
}

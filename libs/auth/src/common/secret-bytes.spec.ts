import { randomFillSync } from 'node:crypto';
import { RandomBytePool, secretBytes } from './secret-bytes';

/** A pool over a counting CSPRNG, with the buffers it was asked to fill. */
function countingPool(size: number) {
  const filled: Buffer[] = [];
  const pool = new RandomBytePool(size, (buffer) => {
    filled.push(buffer);
    randomFillSync(buffer);
  });
  return { pool, filled };
}

describe('RandomBytePool', () => {
  it('draws from the CSPRNG once per pool, not once per secret', () => {
    const { pool, filled } = countingPool(4096);
    for (let i = 0; i < 100; i += 1) pool.take(38); // 3800 bytes: one draw
    expect(filled).toHaveLength(1);
    pool.take(38); // 3838 bytes
    pool.take(300); // past 4096: a second draw
    expect(filled).toHaveLength(2);
  });

  it('hands out each byte once and zeroes it in the pool', () => {
    const { pool, filled } = countingPool(64);
    const first = pool.take(32);
    const [buffer] = filled;
    expect(buffer.subarray(0, 32).every((byte) => byte === 0)).toBe(true);
    expect(first.every((byte) => byte === 0)).toBe(false);
    const second = pool.take(32);
    expect(second.equals(first)).toBe(false);
    expect(buffer.every((byte) => byte === 0)).toBe(true);
  });

  it('gives each secret a buffer of its own, which the pool never writes again', () => {
    const { pool } = countingPool(64);
    const secret = pool.take(32);
    const copy = Buffer.from(secret);
    secret.writeUIntBE(1234, 0, 6); // as issueRefreshToken writes the issue instant
    pool.take(32);
    pool.take(32); // refills the pool
    expect(secret.subarray(6).equals(copy.subarray(6))).toBe(true);
    expect(pool.take(8)).not.toBe(secret);
  });

  it('serves a request larger than the pool from a draw of its own', () => {
    const { pool, filled } = countingPool(16);
    const bytes = pool.take(40);
    expect(bytes).toHaveLength(40);
    expect(filled).toEqual([bytes]);
  });

  it('gives distinct 256-bit secrets by default', () => {
    const secrets = new Set(Array.from({ length: 1000 }, () => secretBytes(32).toString('hex')));
    expect(secrets.size).toBe(1000);
  });
});

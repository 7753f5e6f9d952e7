import { RandomBytePool } from './secret-bytes';

let lastMs = 0;
let sequence = 0;

/**
 * Random bytes for ids, drawn from the CSPRNG 4 KiB at a time: one `randomBytes` call costs
 * about as much as the whole id otherwise, and ids are made on every token request. A pool of
 * their own: secrets come from another (common/secret-bytes.ts).
 */
const idBytes = new RandomBytePool();

/**
 * A time-ordered UUID (version 7) whose 12-bit `rand_a` field counts up within a
 * millisecond, so rows created by one instance sort by id in creation order: "newest first"
 * stays exact for events written in the same millisecond.
 */
export function uuidv7(): string {
  let ms = Date.now();
  if (ms <= lastMs) {
    sequence += 1;
    if (sequence > 0xfff) {
      lastMs += 1;
      sequence = 0;
    }
    ms = lastMs;
  } else {
    lastMs = ms;
    sequence = 0;
  }
  const bytes = idBytes.take(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The smallest version-7 UUID of millisecond `ms`: every id made before `ms` sorts below it,
 * every id made at or after it above (as text, and as PostgreSQL's uuid). Time-ordered tables
 * find their rows older than an instant through the primary key, with no index on time.
 */
export function uuidv7Floor(ms: number): string {
  const hex = Math.trunc(ms).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

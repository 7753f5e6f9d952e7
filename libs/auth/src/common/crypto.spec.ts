import { createHash } from 'node:crypto';
import {
  digestsEqual,
  randomPublicId,
  randomSecret,
  secretMatchesDigest,
  sha256Hex,
} from './crypto';

describe('crypto helpers', () => {
  it('makes 256-bit secrets and 128-bit public ids in base64url', () => {
    expect(randomSecret()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomPublicId()).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(new Set(Array.from({ length: 100 }, () => randomSecret())).size).toBe(100);
  });

  it('hashes with SHA-256 and compares digests', () => {
    const digest = sha256Hex('secret');
    expect(digest).toBe(createHash('sha256').update('secret').digest('hex'));
    expect(secretMatchesDigest('secret', digest)).toBe(true);
    expect(secretMatchesDigest('Secret', digest)).toBe(false);
    expect(digestsEqual(digest, digest.slice(0, 62))).toBe(false);
    expect(digestsEqual('', '')).toBe(false);
  });
});

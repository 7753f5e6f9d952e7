import type { Principal } from '../common/principal';
import { VerifiedTokenCache } from './verified-token.cache';

const principal = (expiresAt: number): Principal => ({
  apiUserId: 'u',
  role: 'operator',
  sessionId: 's',
  apiKeyId: 'k',
  tokenId: 'j',
  expiresAt,
});

describe('VerifiedTokenCache', () => {
  it('answers a remembered token until its expiry, never after', () => {
    const cache = new VerifiedTokenCache();
    cache.remember('token-a', principal(2_000));
    expect(cache.get('token-a', 1_999)).toEqual(principal(2_000));
    expect(cache.get('token-a', 2_000)).toBeUndefined();
    expect(cache.get('token-a', 1_000)).toBeUndefined();
  });

  it('is keyed by the whole token and forgets on request', () => {
    const cache = new VerifiedTokenCache();
    cache.remember('token-a', principal(Number.MAX_SAFE_INTEGER));
    expect(cache.get('token-a'.slice(0, -1))).toBeUndefined();
    cache.forget('token-a');
    expect(cache.get('token-a')).toBeUndefined();
  });

  it('stays bounded, dropping the oldest entries', () => {
    const cache = new VerifiedTokenCache();
    for (let i = 0; i <= 10_000; i += 1)
      cache.remember(`token-${i}`, principal(Number.MAX_SAFE_INTEGER));
    expect(cache.get('token-0')).toBeUndefined();
    expect(cache.get('token-10000')).toBeDefined();
  });
});

import type { Principal } from '../common/principal';
import type { SigningKeysService } from '../keys/signing-keys.service';
import type { SessionLivenessCache } from '../sessions/session-liveness.cache';
import { VerifiedTokenCache } from './verified-token.cache';

/** The cache, and a way to announce a session's end as the liveness cache would. */
let endSession: (sessionId: string) => void;
/** Kids the fake key set no longer trusts (revoked). */
const untrusted = new Set<string>();
const newCache = () =>
  new VerifiedTokenCache(
    {
      onSessionEnded: (listener: (sessionId: string) => void) => {
        endSession = listener;
      },
    } as unknown as SessionLivenessCache,
    { trusts: (kid: string) => !untrusted.has(kid) } as SigningKeysService,
  );
/** A token-shaped string whose header names `kid` (the cache reads nothing else of it). */
const tokenSignedBy = (kid: string, id: string) =>
  `${Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid })).toString('base64url')}.${id}.sig`;

const principal = (expiresAt: number, sessionId = 's'): Principal => ({
  apiUserId: 'u',
  role: 'operator',
  sessionId,
  apiKeyId: 'k',
  tokenId: 'j',
  expiresAt,
  scopes: null,
});

describe('VerifiedTokenCache', () => {
  it('stops answering a token as soon as its signing key is no longer trusted', () => {
    const cache = newCache();
    const token = tokenSignedBy('kid-1', 'a');
    const other = tokenSignedBy('kid-2', 'b');
    cache.remember(token, principal(Number.MAX_SAFE_INTEGER));
    cache.remember(other, principal(Number.MAX_SAFE_INTEGER, 's2'));
    expect(cache.get(token)).toBeDefined();
    untrusted.add('kid-1');
    try {
      expect(cache.get(token)).toBeUndefined();
      expect(cache.get(other)).toBeDefined();
    } finally {
      untrusted.clear();
    }
  });

  it('answers a remembered token until its expiry, never after', () => {
    const cache = newCache();
    cache.remember('token-a', principal(2_000));
    expect(cache.get('token-a', 1_999)).toEqual(principal(2_000));
    expect(cache.get('token-a', 2_000)).toBeUndefined();
    expect(cache.get('token-a', 1_000)).toBeUndefined();
  });

  it('is keyed by the whole token and forgets on request', () => {
    const cache = newCache();
    cache.remember('token-a', principal(Number.MAX_SAFE_INTEGER));
    expect(cache.get('token-a'.slice(0, -1))).toBeUndefined();
    cache.forget('token-a');
    expect(cache.get('token-a')).toBeUndefined();
  });

  it("drops a session's tokens as soon as the session is known to have ended", () => {
    const cache = newCache();
    const never = Number.MAX_SAFE_INTEGER;
    cache.remember('token-a1', principal(never, 'session-a'));
    cache.remember('token-a2', principal(never, 'session-a'));
    cache.remember('token-b', principal(never, 'session-b'));
    endSession('session-a');
    expect(cache.get('token-a1')).toBeUndefined();
    expect(cache.get('token-a2')).toBeUndefined();
    expect(cache.get('token-b')).toEqual(principal(never, 'session-b'));
  });

  it('stays bounded, dropping the oldest entries', () => {
    const cache = newCache();
    for (let i = 0; i <= 10_000; i += 1)
      cache.remember(`token-${i}`, principal(Number.MAX_SAFE_INTEGER));
    expect(cache.get('token-0')).toBeUndefined();
    expect(cache.get('token-10000')).toBeDefined();
  });
});

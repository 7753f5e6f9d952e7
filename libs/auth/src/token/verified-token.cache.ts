import { Injectable } from '@nestjs/common';
import { boundedMap } from '../common/bounded-map';
import type { Principal } from '../common/principal';
import { SigningKeysService } from '../keys/signing-keys.service';
import { SessionLivenessCache } from '../sessions/session-liveness.cache';

/** Bounds memory: beyond this many tokens the oldest is dropped. */
const MAX_ENTRIES = 10_000;

/**
 * Access tokens already verified (signature, type, issuer, audience, expiry), so a client
 * reusing its token is not verified again on every request. Keyed by the whole token; an
 * entry never outlives the token's `exp`, and the entries of a session are dropped as soon as
 * this instance learns the session has ended. It says nothing about the session otherwise:
 * the bearer guard still checks session liveness on every request, so a revocation made by
 * another instance applies as before. Nor does an entry outlive its signing key: a token whose
 * `kid` this instance no longer trusts (revoked) is verified again, and refused.
 */
@Injectable()
export class VerifiedTokenCache {
  private readonly entries = boundedMap<{ principal: Principal; kid: string }>(
    MAX_ENTRIES,
    ({ principal }, token) => this.unindex(principal.sessionId, token),
  );
  /** The cached tokens of each session, to drop them together. */
  private readonly tokensBySession = new Map<string, Set<string>>();

  constructor(
    liveness: SessionLivenessCache,
    private readonly keys: SigningKeysService,
  ) {
    liveness.onSessionEnded((sessionId) => this.forgetSession(sessionId));
  }

  get(token: string, now = Date.now()): Principal | undefined {
    const entry = this.entries.peek(token);
    if (!entry) return undefined;
    // A Map lookup per request: the key set in memory is what the periodic reload last saw.
    if (entry.principal.expiresAt <= now || !this.keys.trusts(entry.kid)) {
      this.forget(token);
      return undefined;
    }
    return entry.principal;
  }

  /** Remembers a token that has just been verified (so its header is well formed). */
  remember(token: string, principal: Principal): void {
    this.entries.set(token, { principal, kid: kidOf(token) });
    let tokens = this.tokensBySession.get(principal.sessionId);
    if (!tokens) {
      tokens = new Set();
      this.tokensBySession.set(principal.sessionId, tokens);
    }
    tokens.add(token);
  }

  forget(token: string): void {
    const entry = this.entries.peek(token);
    if (!entry) return;
    this.entries.delete(token);
    this.unindex(entry.principal.sessionId, token);
  }

  /** Drops every cached token of a session. */
  forgetSession(sessionId: string): void {
    const tokens = this.tokensBySession.get(sessionId);
    if (!tokens) return;
    for (const token of tokens) this.entries.delete(token);
    this.tokensBySession.delete(sessionId);
  }

  /** Takes a token out of its session's set (the entry itself is gone or going). */
  private unindex(sessionId: string, token: string): void {
    const tokens = this.tokensBySession.get(sessionId);
    tokens?.delete(token);
    if (tokens?.size === 0) this.tokensBySession.delete(sessionId);
  }
}

/** The `kid` of a JWS header, or '' when there is none to read. */
function kidOf(token: string): string {
  try {
    const header: unknown = JSON.parse(
      Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8'),
    );
    const kid = (header as { kid?: unknown } | null)?.kid;
    return typeof kid === 'string' ? kid : '';
  } catch {
    return '';
  }
}

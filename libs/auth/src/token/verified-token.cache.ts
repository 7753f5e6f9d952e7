import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/principal';
import { SessionLivenessCache } from '../sessions/session-liveness.cache';

/** Bounds memory: beyond this many tokens the oldest is dropped. */
const MAX_ENTRIES = 10_000;

/**
 * Access tokens already verified (signature, type, issuer, audience, expiry), so a client
 * reusing its token is not verified again on every request. Keyed by the whole token; an
 * entry never outlives the token's `exp`, and the entries of a session are dropped as soon as
 * this instance learns the session has ended. It says nothing about the session otherwise:
 * the bearer guard still checks session liveness on every request, so a revocation made by
 * another instance applies as before.
 */
@Injectable()
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Principal>();
  /** The cached tokens of each session, to drop them together. */
  private readonly tokensBySession = new Map<string, Set<string>>();

  constructor(liveness: SessionLivenessCache) {
    liveness.onSessionEnded((sessionId) => this.forgetSession(sessionId));
  }

  get(token: string, now = Date.now()): Principal | undefined {
    const principal = this.entries.get(token);
    if (principal && principal.expiresAt <= now) {
      this.forget(token);
      return undefined;
    }
    return principal;
  }

  remember(token: string, principal: Principal): void {
    this.entries.set(token, principal);
    let tokens = this.tokensBySession.get(principal.sessionId);
    if (!tokens) {
      tokens = new Set();
      this.tokensBySession.set(principal.sessionId, tokens);
    }
    tokens.add(token);
    if (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.forget(oldest);
    }
  }

  forget(token: string): void {
    const principal = this.entries.get(token);
    if (!principal) return;
    this.entries.delete(token);
    const tokens = this.tokensBySession.get(principal.sessionId);
    tokens?.delete(token);
    if (tokens?.size === 0) this.tokensBySession.delete(principal.sessionId);
  }

  /** Drops every cached token of a session. */
  forgetSession(sessionId: string): void {
    const tokens = this.tokensBySession.get(sessionId);
    if (!tokens) return;
    for (const token of tokens) this.entries.delete(token);
    this.tokensBySession.delete(sessionId);
  }
}

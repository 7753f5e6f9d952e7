import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/principal';

/** Bounds memory: beyond this many tokens the oldest is dropped. */
const MAX_ENTRIES = 10_000;

/**
 * Access tokens already verified (signature, type, issuer, audience, expiry), so a client
 * reusing its token is not verified again on every request. Keyed by the whole token; an
 * entry never outlives the token's `exp`. It says nothing about the session: the bearer guard
 * still checks session liveness on every request, so a revocation applies as before.
 */
@Injectable()
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Principal>();

  get(token: string, now = Date.now()): Principal | undefined {
    const principal = this.entries.get(token);
    if (principal && principal.expiresAt <= now) {
      this.entries.delete(token);
      return undefined;
    }
    return principal;
  }

  remember(token: string, principal: Principal): void {
    this.entries.set(token, principal);
    if (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  forget(token: string): void {
    this.entries.delete(token);
  }
}

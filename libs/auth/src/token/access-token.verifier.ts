import { Inject, Injectable } from '@nestjs/common';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { verifyEs256 } from '../keys/jws';
import { SigningKeysService } from '../keys/signing-keys.service';
import { ACCESS_TOKEN_TYPE } from './access-token.signer';

export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string;
  client_id: string;
  sid: string;
  jti: string;
  role: string;
  iat: number;
  exp: number;
  /** Space-separated, when the session was granted scopes. */
  scope?: string;
}

/**
 * Verifies one of our access tokens outside the bearer guard (introspection, revocation):
 * signature, type, issuer, audience (the module's, or any allowed resource: introspection
 * serves those resource servers too) and expiry. It says nothing about the session.
 */
@Injectable()
export class AccessTokenVerifier {
  constructor(
    private readonly keys: SigningKeysService,
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
  ) {
    this.audiences = new Set([options.audience, ...options.allowedResources]);
  }

  /** The module's audience and every allowed resource: tokens for any of them are ours. */
  private readonly audiences: ReadonlySet<string>;

  async verify(token: string, now = Date.now()): Promise<AccessTokenClaims | undefined> {
    const claims = await verifyEs256(token, ACCESS_TOKEN_TYPE, (kid) =>
      this.keys.verificationKey(kid),
    );
    if (!claims) return undefined;
    const { iss, aud, sub, client_id: clientId, sid, jti, role, iat, exp } = claims;
    if (iss !== this.options.issuer || typeof aud !== 'string' || !this.audiences.has(aud))
      return undefined;
    if (typeof exp !== 'number' || exp * 1000 <= now || typeof iat !== 'number') return undefined;
    if ([sub, clientId, sid, jti, role].some((value) => typeof value !== 'string'))
      return undefined;
    return claims as unknown as AccessTokenClaims;
  }
}

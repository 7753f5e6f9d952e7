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
 * signature, type, issuer, audience and expiry. It says nothing about the session.
 */
@Injectable()
export class AccessTokenVerifier {
  constructor(
    private readonly keys: SigningKeysService,
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
  ) {}

  async verify(token: string, now = Date.now()): Promise<AccessTokenClaims | undefined> {
    const claims = await verifyEs256(token, ACCESS_TOKEN_TYPE, (kid) =>
      this.keys.verificationKey(kid),
    );
    if (!claims) return undefined;
    const { iss, aud, sub, client_id: clientId, sid, jti, role, iat, exp } = claims;
    if (iss !== this.options.issuer || aud !== this.options.audience) return undefined;
    if (typeof exp !== 'number' || exp * 1000 <= now || typeof iat !== 'number') return undefined;
    if ([sub, clientId, sid, jti, role].some((value) => typeof value !== 'string'))
      return undefined;
    return claims as unknown as AccessTokenClaims;
  }
}

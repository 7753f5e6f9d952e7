import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import type { Role } from '../common/principal';
import { encodeHeader, signEs256 } from '../keys/jws';
import { SigningKeysService } from '../keys/signing-keys.service';

export const ACCESS_TOKEN_TYPE = 'at+jwt';

export interface AccessTokenSubject {
  apiUserId: string;
  role: Role;
  sessionId: string;
  apiKeyId: string;
  /** Space-separated scopes for the `scope` claim (RFC 9068 §2.2.3); null: no claim. */
  scope: string | null;
  /** The `aud` claim, a resource asked for (RFC 8707); null: the module's `audience`. */
  audience: string | null;
}

export interface SignedAccessToken {
  token: string;
  expiresIn: number;
}

/**
 * Issues RFC 9068 access tokens (`typ: at+jwt`), ES256-signed with `node:crypto` directly.
 */
@Injectable()
export class AccessTokenSigner {
  private cachedHeader: { kid: string; encoded: string } | undefined;

  constructor(
    private readonly keys: SigningKeysService,
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
  ) {}

  sign(subject: AccessTokenSubject): SignedAccessToken {
    const key = this.keys.signingKey;
    const iat = Math.floor(Date.now() / 1000);
    const ttl = this.options.accessTokenTtlSeconds;
    const payload = {
      iss: this.options.issuer,
      sub: subject.apiUserId,
      aud: subject.audience ?? this.options.audience,
      client_id: subject.apiKeyId,
      iat,
      exp: iat + ttl,
      jti: randomUUID(),
      sid: subject.sessionId,
      role: subject.role,
      ...(subject.scope !== null && { scope: subject.scope }),
    };
    return { token: signEs256(this.header(key.kid), payload, key.privateKey), expiresIn: ttl };
  }

  private header(kid: string): string {
    if (this.cachedHeader?.kid !== kid) {
      this.cachedHeader = {
        kid,
        encoded: encodeHeader({ alg: 'ES256', typ: ACCESS_TOKEN_TYPE, kid }),
      };
    }
    return this.cachedHeader.encoded;
  }
}

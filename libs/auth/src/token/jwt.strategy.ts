import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { ROLES, type Principal, type Role } from '../common/principal';
import { SigningKeysService } from '../keys/signing-keys.service';
import { ACCESS_TOKEN_TYPE } from './access-token.signer';

/** A distinct strategy name, so a host's own `jwt` strategy cannot collide with ours. */
export const BEARER_STRATEGY = 'auth-server-bearer';

interface AccessTokenClaims {
  sub?: unknown;
  sid?: unknown;
  role?: unknown;
  client_id?: unknown;
  jti?: unknown;
  exp?: unknown;
  scope?: unknown;
}

/** Reads the JOSE header without trusting it; anything malformed yields undefined. */
function decodeHeader(token: string): { alg?: unknown; typ?: unknown; kid?: unknown } | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0 || dot > 1024) return undefined;
  try {
    const header: unknown = JSON.parse(
      Buffer.from(token.slice(0, dot), 'base64url').toString('utf8'),
    );
    return typeof header === 'object' && header !== null ? header : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies bearer access tokens with passport-jwt against our JWK set. Only ES256 tokens
 * of type `at+jwt` with a known `kid` reach signature verification: `alg: none`, HS256
 * signed with the public key, refresh tokens and other token types are refused up front.
 */
@Injectable()
export class BearerJwtStrategy extends PassportStrategy(Strategy, BEARER_STRATEGY) {
  constructor(keys: SigningKeysService, @Inject(AUTH_OPTIONS) options: ResolvedAuthOptions) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      algorithms: ['ES256'],
      issuer: options.issuer,
      audience: options.audience,
      ignoreExpiration: false,
      secretOrKeyProvider: (
        _request: unknown,
        rawJwtToken: string,
        done: (err: unknown, key?: string) => void,
      ) => {
        const header = decodeHeader(rawJwtToken);
        if (
          !header ||
          header.alg !== 'ES256' ||
          header.typ !== ACCESS_TOKEN_TYPE ||
          typeof header.kid !== 'string'
        ) {
          done(new Error('unacceptable token header'));
          return;
        }
        const key = keys.verificationKey(header.kid);
        // jsonwebtoken accepts a KeyObject (parsed once) where its typings only name strings.
        if (key) done(null, key as unknown as string);
        else done(new Error('unknown or revoked kid'));
      },
    });
  }

  validate(claims: AccessTokenClaims): Principal | false {
    const { sub, sid, role, client_id: apiKeyId, jti, exp, scope } = claims;
    if (
      typeof sub !== 'string' ||
      typeof sid !== 'string' ||
      typeof apiKeyId !== 'string' ||
      typeof jti !== 'string' ||
      typeof exp !== 'number' ||
      (scope !== undefined && typeof scope !== 'string') ||
      !ROLES.includes(role as Role)
    ) {
      return false;
    }
    return {
      apiUserId: sub,
      sessionId: sid,
      apiKeyId,
      role: role as Role,
      tokenId: jti,
      expiresAt: exp * 1000,
      scopes: scope === undefined ? null : scope.split(' '),
    };
  }
}

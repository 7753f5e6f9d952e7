import { Injectable } from '@nestjs/common';
import { ApiKeysService } from '../api-users/api-keys.service';
import { nowMs } from '../common/clock';
import { RefreshTokensRepository } from '../sessions/refresh-tokens.repository';
import { refreshTokenKey } from '../sessions/refresh-token-key';
import { SessionLivenessCache } from '../sessions/session-liveness.cache';
import { SessionsService } from '../sessions/sessions.service';
import { AccessTokenVerifier } from '../token/access-token.verifier';
import type { IntrospectionDto } from './oauth.dto';

/** The OAuth client (API key) that authenticated a request, and whether its user is an admin. */
export interface AuthenticatedClient {
  clientId: string;
  isAdmin: boolean;
}

/** A token we issued, recognised by its form: a JWT access token or an opaque refresh token. */
interface RecognisedToken {
  sessionId: string;
  clientId: string;
  introspection: IntrospectionDto;
}

/**
 * The OAuth 2.0 surface over the same keys, sessions and rotation: API keys are the clients
 * (RFC 6749 client authentication), RFC 7009 revocation and RFC 7662 introspection.
 */
@Injectable()
export class OAuthService {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly sessions: SessionsService,
    private readonly liveness: SessionLivenessCache,
    private readonly accessTokens: AccessTokenVerifier,
  ) {}

  /** Authenticates an API key as an OAuth client; throws `invalid_credentials` (invalid_client). */
  async authenticateClient(
    clientId: string,
    clientSecret: string,
    ip: string | null,
  ): Promise<AuthenticatedClient> {
    const { key, owner } = await this.apiKeys.verify(clientId, clientSecret, ip);
    return { clientId: key.id, isAdmin: owner.role === 'admin' };
  }

  /**
   * RFC 7662 §2.1 lets the server decide who may learn about a token: here an admin's
   * client, or the client the token was issued to. To anyone else every token is inactive,
   * so an operator can neither read another principal's claims nor probe whether a stolen
   * refresh token is still live.
   */
  async introspect(
    token: string,
    issuer: string,
    client: AuthenticatedClient,
  ): Promise<IntrospectionDto> {
    const recognised = await this.recognise(token, issuer);
    if (!recognised || (!client.isAdmin && recognised.clientId !== client.clientId)) {
      return { active: false };
    }
    return recognised.introspection;
  }

  /**
   * RFC 7009: revokes the session of a token issued to this client. Unknown tokens, and
   * tokens of other clients, are ignored (the caller answers 200 either way).
   */
  async revoke(token: string, clientId: string, issuer: string): Promise<void> {
    const recognised = await this.recognise(token, issuer, { includeInactive: true });
    if (recognised && recognised.clientId === clientId)
      await this.sessions.revokeById(recognised.sessionId);
  }

  private async recognise(
    token: string,
    issuer: string,
    { includeInactive = false } = {},
  ): Promise<RecognisedToken | undefined> {
    if (token.length === 0 || token.length > 8192) return undefined;
    const now = nowMs();
    if (token.split('.').length === 3) {
      const claims = await this.accessTokens.verify(token, now);
      if (!claims) return undefined;
      const live = await this.liveness.isLive(claims.sid);
      if (!live && !includeInactive) return undefined;
      return {
        sessionId: claims.sid,
        clientId: claims.client_id,
        introspection: {
          active: live,
          ...(live && {
            sub: claims.sub,
            sid: claims.sid,
            client_id: claims.client_id,
            exp: claims.exp,
            iat: claims.iat,
            token_type: 'Bearer' as const,
            iss: claims.iss,
            aud: claims.aud,
            ...(typeof claims.scope === 'string' && { scope: claims.scope }),
          }),
        },
      };
    }
    const candidate = await this.refreshTokens.findExchangeCandidate(refreshTokenKey(token));
    if (!candidate) return undefined;
    const active =
      candidate.consumedAt === null &&
      now < candidate.expiresAt &&
      now < candidate.sessionExpiresAt &&
      candidate.sessionRevokedAt === null &&
      candidate.apiKeyRevokedAt === null &&
      (candidate.apiKeyExpiresAt === null || now < candidate.apiKeyExpiresAt) &&
      candidate.userStatus === 'active';
    if (!active && !includeInactive) return undefined;
    return {
      sessionId: candidate.sessionId,
      clientId: candidate.apiKeyId,
      introspection: {
        active,
        ...(active && {
          sub: candidate.apiUserId,
          sid: candidate.sessionId,
          client_id: candidate.apiKeyId,
          exp: Math.floor(candidate.expiresAt / 1000),
          iat: Math.floor(candidate.createdAt / 1000),
          token_type: 'refresh_token' as const,
          iss: issuer,
          ...(candidate.scope !== null && { scope: candidate.scope }),
        }),
      },
    };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { ApiKeyEntity } from '../api-users/api-key.entity';
import type { ApiUserEntity } from '../api-users/api-user.entity';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { grantedAudience } from '../common/resources';
import { grantedScope, requestedScopes } from '../common/scopes';
import { ApiKeysService } from '../api-users/api-keys.service';
import { nowMs } from '../common/clock';
import { AUTH_METRICS, type AuthMetricsSink, type TokenGrant } from '../metrics/auth-metrics';
import { KeyUsageRecorder } from '../sessions/key-usage.recorder';
import { RefreshRotationService } from '../sessions/refresh-rotation.service';
import { SessionsService } from '../sessions/sessions.service';
import { AccessTokenSigner } from './access-token.signer';

/** What every token endpoint returns, before a wire format names the fields. */
export interface IssuedTokens {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  sessionId: string;
  /** The session's scopes, space-separated (the access token's `scope` claim); null: none. */
  scope: string | null;
}

/** What a token request may ask of the session it opens. */
export interface TokenRequestParameters {
  /** Space-separated scopes narrowing what the key grants (see grantedScope). */
  scope?: string;
  /** The resource server the access token is for, its `aud` (RFC 8707; see grantedAudience). */
  resource?: string;
}

@Injectable()
export class TokenService {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly sessions: SessionsService,
    private readonly signer: AccessTokenSigner,
    private readonly rotation: RefreshRotationService,
    private readonly keyUsage: KeyUsageRecorder,
    @Inject(AUTH_METRICS) private readonly metrics: AuthMetricsSink,
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
  ) {}

  /**
   * For host apps that authenticate a caller their own way: opens a session for an API key
   * (no secret needed; the host vouches for the caller) and issues its tokens. The key and
   * its owner must be active.
   */
  async issueForApiKey(
    apiKeyId: string,
    ip: string | null = null,
    requested: TokenRequestParameters = {},
  ): Promise<IssuedTokens> {
    const { key, owner } = await this.apiKeys.findActive(apiKeyId);
    return this.openSession(key, owner, ip, requested, 'host');
  }

  /** Rotates a refresh token under the contract's rules and issues a new access token. */
  async refresh(
    refreshToken: string,
    ip: string | null,
    onlyForApiKey?: string,
  ): Promise<IssuedTokens> {
    const rotated = await this.rotation.exchange(refreshToken, ip, onlyForApiKey);
    const access = this.signer.sign(rotated);
    return {
      accessToken: access.token,
      expiresIn: access.expiresIn,
      refreshToken: rotated.refreshToken,
      sessionId: rotated.sessionId,
      scope: rotated.scope,
    };
  }

  /**
   * Exchanges API key credentials for a new session: an access token and a refresh token.
   * `requested` may narrow its scopes and name the resource its access tokens are for.
   */
  async exchangeApiKey(
    apiKeyId: string,
    secret: string,
    ip: string | null,
    requested: TokenRequestParameters = {},
  ): Promise<IssuedTokens> {
    const { key, owner } = await this.apiKeys.verify(apiKeyId, secret, ip);
    return this.openSession(key, owner, ip, requested, 'api_key');
  }

  private async openSession(
    key: ApiKeyEntity,
    owner: ApiUserEntity,
    ip: string | null,
    requested: TokenRequestParameters,
    grant: TokenGrant,
  ): Promise<IssuedTokens> {
    // Decided before anything is written: a scope or resource refused opens no session.
    const granted = grantedScope(key.scopes, requestedScopes(requested.scope), this.options.scopes);
    const audience = grantedAudience(requested.resource, this.options.allowedResources);
    const now = nowMs();
    const { session, refreshToken } = await this.sessions.open(
      { apiUserId: owner.id, apiKeyId: key.id, ip, scope: granted, audience },
      now,
    );
    this.keyUsage.used(key.id, now);
    const access = this.signer.sign({
      apiUserId: owner.id,
      role: owner.role,
      sessionId: session.id,
      apiKeyId: key.id,
      scope: granted,
      audience,
    });
    this.metrics.tokenIssued(grant);
    return {
      accessToken: access.token,
      expiresIn: access.expiresIn,
      refreshToken,
      sessionId: session.id,
      scope: granted,
    };
  }
}

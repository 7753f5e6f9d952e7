import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Post,
  UseFilters,
  UsePipes,
} from '@nestjs/common';
import {
  ApiBasicAuth,
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  AUTH_OPTIONS,
  AUTH_ROUTE_PREFIX,
  type ResolvedAuthOptions,
} from '../auth.module-definition';
import { ClientIp } from '../common/client-ip';
import { Public } from '../common/decorators';
import { createValidationPipe } from '../common/validation';
import { TokenEndpoint } from '../token/token-endpoint.decorator';
import { TokenService } from '../token/token.service';
import { clientCredentialsOf } from './client-credentials';
import { OAuthError, OAuthErrorFilter } from './oauth-error.filter';
import {
  AuthorizationServerMetadataDto,
  IntrospectionDto,
  OAuthErrorDto,
  OAuthTokenParamDto,
  OAuthTokenRequestDto,
  OAuthTokenResponseDto,
  SUPPORTED_GRANT_TYPES,
} from './oauth.dto';
import { RequireFormBody } from './require-form-body';
import { OAuthService } from './oauth.service';

const FORM = 'application/x-www-form-urlencoded';
const AUTH_METHODS = ['client_secret_basic', 'client_secret_post'];
const oauthError = (status: number, error: string, description: string) => ({
  status,
  description,
  type: OAuthErrorDto,
  example: { error, error_description: description },
});

/** RFC 6749 token endpoint, RFC 7009 revocation and RFC 7662 introspection; API keys are the clients. */
@ApiTags('OAuth 2.0')
@ApiBasicAuth()
@ApiResponse(
  oauthError(
    503,
    'temporarily_unavailable',
    'The database is unavailable; retry after Retry-After seconds.',
  ),
)
@Controller('oauth')
@UsePipes(createValidationPipe({ rejectUnknownFields: false }))
@UseFilters(OAuthErrorFilter)
export class OAuthController {
  constructor(
    private readonly tokens: TokenService,
    private readonly oauth: OAuthService,
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
  ) {}

  @Post('token')
  @TokenEndpoint()
  @RequireFormBody()
  @ApiConsumes(FORM)
  @ApiBody({ type: OAuthTokenRequestDto })
  @ApiOperation({
    summary: 'OAuth 2.0 token endpoint',
    description:
      '`grant_type=client_credentials` opens a session like POST /auth/token and also returns a refresh token; ' +
      '`grant_type=refresh_token` rotates it under the same rules (a replay revokes the session). ' +
      'The client is an API key: HTTP Basic (`client_secret_basic`) or `client_id`/`client_secret` in the body.',
  })
  @ApiResponse({ status: 200, type: OAuthTokenResponseDto })
  @ApiResponse(
    oauthError(
      400,
      'invalid_grant',
      'invalid_request, invalid_grant (unknown, expired, reused or revoked refresh token), unsupported_grant_type, invalid_scope or invalid_target (a `resource` not among the allowed resources).',
    ),
  )
  @ApiResponse(
    oauthError(
      401,
      'invalid_client',
      'Client authentication failed; with WWW-Authenticate: Basic.',
    ),
  )
  @ApiResponse(oauthError(429, 'rate_limited', 'Too many requests; see Retry-After.'))
  async token(
    @Body() body: OAuthTokenRequestDto,
    @Headers('authorization') authorization: string | undefined,
    @ClientIp() ip: string | null,
  ): Promise<OAuthTokenResponseDto> {
    if (!SUPPORTED_GRANT_TYPES.includes(body.grant_type)) {
      throw new OAuthError(
        'unsupported_grant_type',
        'Supported: client_credentials, refresh_token.',
      );
    }
    const { clientId, clientSecret } = clientCredentialsOf(authorization, body);
    let issued;
    if (body.grant_type === 'client_credentials') {
      // An empty parameter is no parameter (RFC 6749 §3.1).
      issued = await this.tokens.exchangeApiKey(clientId, clientSecret, ip, {
        scope: body.scope || undefined,
        resource: body.resource || undefined,
      });
    } else {
      if (!body.refresh_token)
        throw new OAuthError('invalid_request', 'refresh_token is required.');
      await this.oauth.authenticateClient(clientId, clientSecret, ip);
      issued = await this.tokens.refresh(body.refresh_token, ip, clientId);
    }
    return {
      access_token: issued.accessToken,
      token_type: 'Bearer',
      expires_in: issued.expiresIn,
      refresh_token: issued.refreshToken,
      ...(issued.scope !== null && { scope: issued.scope }),
    };
  }

  @Post('revoke')
  @TokenEndpoint()
  @RequireFormBody()
  @ApiConsumes(FORM)
  @ApiBody({ type: OAuthTokenParamDto })
  @ApiOperation({
    summary: 'OAuth 2.0 token revocation (RFC 7009)',
    description:
      "Revoking a refresh or access token revokes its session. Unknown tokens, and other clients' tokens, answer 200 too.",
  })
  @ApiResponse({ status: 200, description: 'Revoked, or nothing to revoke. No body.' })
  @ApiResponse(oauthError(400, 'invalid_request', 'Missing token.'))
  @ApiResponse(oauthError(401, 'invalid_client', 'Client authentication failed.'))
  async revoke(
    @Body() body: OAuthTokenParamDto,
    @Headers('authorization') authorization: string | undefined,
    @ClientIp() ip: string | null,
  ): Promise<void> {
    const { clientId, clientSecret } = clientCredentialsOf(authorization, body);
    await this.oauth.authenticateClient(clientId, clientSecret, ip);
    await this.oauth.revoke(body.token, clientId, this.options.issuer);
  }

  @Post('introspect')
  @TokenEndpoint()
  @RequireFormBody()
  @ApiConsumes(FORM)
  @ApiBody({ type: OAuthTokenParamDto })
  @ApiOperation({
    summary: 'OAuth 2.0 token introspection (RFC 7662)',
    description:
      'For authenticated clients. A token is reported active only to a client whose API user is an admin, or to the client (API key) it was issued to; ' +
      'to any other client every token is `{"active": false}`. An access token of a revoked session, a used refresh token and anything unknown are `{"active": false}` too.',
  })
  @ApiResponse({ status: 200, type: IntrospectionDto })
  @ApiResponse(oauthError(400, 'invalid_request', 'Missing token.'))
  @ApiResponse(oauthError(401, 'invalid_client', 'Client authentication failed.'))
  async introspect(
    @Body() body: OAuthTokenParamDto,
    @Headers('authorization') authorization: string | undefined,
    @ClientIp() ip: string | null,
  ): Promise<IntrospectionDto> {
    const { clientId, clientSecret } = clientCredentialsOf(authorization, body);
    const client = await this.oauth.authenticateClient(clientId, clientSecret, ip);
    return this.oauth.introspect(body.token, this.options.issuer, client);
  }
}

/** RFC 8414 authorization server metadata. */
@ApiTags('OAuth 2.0')
@Controller('.well-known')
export class OAuthMetadataController {
  private readonly metadata: AuthorizationServerMetadataDto;

  constructor(
    @Inject(AUTH_OPTIONS) options: ResolvedAuthOptions,
    @Inject(AUTH_ROUTE_PREFIX) prefix: string,
  ) {
    const base = `${options.issuer.replace(/\/+$/, '')}${prefix ? `/${prefix}` : ''}`;
    this.metadata = {
      issuer: options.issuer,
      token_endpoint: `${base}/oauth/token`,
      jwks_uri: `${base}/.well-known/jwks.json`,
      revocation_endpoint: `${base}/oauth/revoke`,
      introspection_endpoint: `${base}/oauth/introspect`,
      grant_types_supported: ['client_credentials', 'refresh_token'],
      token_endpoint_auth_methods_supported: AUTH_METHODS,
      revocation_endpoint_auth_methods_supported: AUTH_METHODS,
      introspection_endpoint_auth_methods_supported: AUTH_METHODS,
      response_types_supported: [],
    };
  }

  @Get('oauth-authorization-server')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'OAuth 2.0 authorization server metadata (RFC 8414)' })
  @ApiResponse({ status: 200, type: AuthorizationServerMetadataDto })
  get(): AuthorizationServerMetadataDto {
    return this.metadata;
  }
}

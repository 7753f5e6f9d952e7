import { AuthController } from '../common/auth-controller.decorator';
import { Body, HttpCode, Post } from '@nestjs/common';
import { TokenEndpoint } from './token-endpoint.decorator';
import { SessionsService } from '../sessions/sessions.service';
import { Authenticated, CurrentPrincipal } from '../common/decorators';
import type { Principal } from '../common/principal';
import { RefreshRequestDto } from './dto/refresh-request.dto';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-errors.decorator';
import { ClientIp } from '../common/client-ip';
import { JsonBody } from '../common/json-body';
import { TokenRequestDto } from './dto/token-request.dto';
import { TokenResponseDto } from './dto/token-response.dto';
import { TokenService, type IssuedTokens } from './token.service';

export function toTokenResponse(tokens: IssuedTokens): TokenResponseDto {
  return {
    access_token: tokens.accessToken,
    expires_in: tokens.expiresIn,
    refresh_token: tokens.refreshToken,
    session_state: tokens.sessionId,
    token_type: 'Bearer',
  };
}

@ApiTags('Auth')
@AuthController('auth')
export class TokenController {
  constructor(
    private readonly tokens: TokenService,
    private readonly sessions: SessionsService,
  ) {}

  @Post('token')
  @TokenEndpoint()
  @JsonBody()
  @ApiOperation({
    summary: 'Get JWT tokens',
    description:
      'Exchanges API key credentials for an access token and a single-use refresh token, opening a new session.',
  })
  @ApiResponse({ status: 200, type: TokenResponseDto, description: 'JWT tokens.' })
  @ApiErrors(
    [
      400,
      '`validation_failed`; `invalid_scope`: a scope the key does not carry (or not declared); `invalid_target`: a `resource` not among the allowed resources.',
    ],
    [
      401,
      "Unknown key, wrong secret, revoked or expired key, an address outside the key's allow-list, or inactive user: always `invalid_credentials`.",
    ],
    [
      429,
      'Too many requests from this address, or too many wrong secrets for this API key from this address (`rate_limited`); see `Retry-After`.',
    ],
  )
  async token(
    @Body() body: TokenRequestDto,
    @ClientIp() ip: string | null,
  ): Promise<TokenResponseDto> {
    return toTokenResponse(
      await this.tokens.exchangeApiKey(body.api_key_id, body.api_key_secret, ip, {
        scope: body.scope,
        resource: body.resource,
      }),
    );
  }

  @Post('token/refresh')
  @TokenEndpoint()
  @JsonBody()
  @ApiOperation({
    summary: 'Refresh JWT tokens',
    description:
      'Exchanges a refresh token, once, for a new access token and its successor in the same session. ' +
      'Presenting a consumed token again is reuse: the whole session is revoked (`refresh_token_reused`), ' +
      'unless it is a retry within the grace window while the successor is unused, which answers that same successor.',
  })
  @ApiResponse({ status: 200, type: TokenResponseDto, description: 'JWT tokens.' })
  @ApiErrors(
    [
      401,
      'One of `invalid_refresh_token` (unknown), `session_revoked`, `session_expired` (absolute lifetime), `refresh_token_reused`, `refresh_token_expired` (idle), in that order of precedence.',
    ],
    429,
  )
  async refresh(
    @Body() body: RefreshRequestDto,
    @ClientIp() ip: string | null,
  ): Promise<TokenResponseDto> {
    return toTokenResponse(await this.tokens.refresh(body.refresh_token, ip));
  }

  @Post('logout')
  @Authenticated()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Log out',
    description:
      "Revokes the caller's session: its refresh token and every access token of it stop working.",
  })
  @ApiResponse({ status: 204, description: 'The session is revoked.' })
  async logout(
    @CurrentPrincipal() principal: Principal,
    @ClientIp() ip: string | null,
  ): Promise<void> {
    await this.sessions.revoke(principal.sessionId, principal, 'logout', ip);
  }
}

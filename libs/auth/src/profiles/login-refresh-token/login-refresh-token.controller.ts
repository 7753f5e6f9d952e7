import { Body, Catch, Injectable, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ClientIp } from '../../common/client-ip';
import type { RenderedError } from '../../common/error-body';
import type { ErrorCode } from '../../common/error-codes';
import { RequireJsonBody } from '../../common/json-body';
import { TokenEndpoint } from '../../token/token-endpoint.decorator';
import { TokenService } from '../../token/token.service';
import {
  ProfileController,
  ProfileErrorFilter,
  type ProfileResponse,
} from '../profile-error.filter';
import { ProfileRefreshRequestDto } from '../refresh-token-request.dto';
import { LoginRefreshTokenErrorDto, LoginRefreshTokenResponseDto } from './login-refresh-token.dto';

/** Seed 003's messages. Its documented one, "RefreshToken Expired", covers both expiries. */
const MESSAGES: Partial<Record<ErrorCode, string>> = {
  refresh_token_expired: 'RefreshToken Expired',
  session_expired: 'RefreshToken Expired',
  invalid_refresh_token: 'RefreshToken Invalid',
  refresh_token_reused: 'RefreshToken Reused',
  session_revoked: 'RefreshToken Revoked',
  validation_failed: 'refreshToken is required and must be a string',
  payload_too_large: 'Payload Too Large',
  unsupported_media_type: 'Unsupported Media Type',
  rate_limited: 'Too Many Requests',
  internal_error: 'Internal Server Error',
  service_unavailable: 'Service Unavailable',
};

/** Seed 003's two-field error body: `{ "code": "<status>", "response": "<message>" }`. */
@Catch()
@Injectable()
export class LoginRefreshTokenErrorFilter extends ProfileErrorFilter {
  protected toProfile(rendered: RenderedError): ProfileResponse {
    const code = rendered.body.error.code as ErrorCode;
    // Seed 003 documents 500 as its only server error.
    const status = code === 'service_unavailable' ? 500 : rendered.status;
    return {
      status,
      body: {
        code: String(status),
        response: MESSAGES[code] ?? rendered.body.error.message,
      },
    };
  }
}

@ApiTags('Profile: login-refresh-token (POST /api/login/refresh-token)')
@ProfileController('api/login', LoginRefreshTokenErrorFilter)
export class LoginRefreshTokenController {
  constructor(private readonly tokens: TokenService) {}

  @Post('refresh-token')
  @TokenEndpoint()
  @RequireJsonBody()
  @ApiOperation({
    summary: 'Refresh Token API',
    description:
      'Generates a new access token and refresh token using a valid refresh token issued during authentication. ' +
      'Same sessions and rotation rules as POST /auth/token/refresh. No bearer token is required.',
  })
  @ApiBody({
    type: ProfileRefreshRequestDto,
    examples: { request: { value: { refreshToken: 'aaaassw23242455555555555555555444464646' } } },
  })
  @ApiResponse({
    status: 200,
    description: 'Success – new tokens issued',
    type: LoginRefreshTokenResponseDto,
    example: {
      accessToken: 'eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.....',
      refreshToken: 'Xk3n2F0q9yq1Lw4sV7bN0cR8tH6mJ2pA5eD1gK9uY3o',
      expiresIn: 300,
      tokenType: 'Bearer',
    },
  })
  @ApiResponse({
    status: 400,
    description: 'Bad Request',
    type: LoginRefreshTokenErrorDto,
    example: { code: '400', response: 'refreshToken is required and must be a string' },
  })
  @ApiResponse({
    status: 401,
    description:
      'Unauthorized – Refresh token expired (idle or session lifetime: `RefreshToken Expired`), or invalid, reused (the session is revoked) or revoked.',
    type: LoginRefreshTokenErrorDto,
    example: { code: '401', response: 'RefreshToken Expired' },
  })
  @ApiResponse({
    status: 429,
    description: 'Too Many Requests',
    type: LoginRefreshTokenErrorDto,
    example: { code: '429', response: 'Too Many Requests' },
  })
  @ApiResponse({
    status: 500,
    description:
      'Internal Server Error; also the database being unavailable (`Service Unavailable`, with Retry-After).',
    type: LoginRefreshTokenErrorDto,
    example: { code: '500', response: 'Internal Server Error' },
  })
  async refresh(
    @Body() body: ProfileRefreshRequestDto,
    @ClientIp() ip: string | null,
  ): Promise<LoginRefreshTokenResponseDto> {
    const tokens = await this.tokens.refresh(body.refreshToken, ip);
    return {
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresIn: tokens.expiresIn,
      tokenType: 'Bearer',
    };
  }
}

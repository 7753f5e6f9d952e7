import { Body, Catch, Injectable, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ClientIp } from '../../common/client-ip';
import type { RenderedError } from '../../common/error-body';
import { ErrorBodyDto } from '../../common/error-body.dto';
import { RequireJsonBody } from '../../common/json-body';
import { TokenEndpoint } from '../../token/token-endpoint.decorator';
import { TokenService } from '../../token/token.service';
import {
  ProfileController,
  ProfileErrorFilter,
  type ProfileResponse,
} from '../profile-error.filter';
import { ProfileRefreshRequestDto } from '../refresh-token-request.dto';
import { AuthenticateRefreshResponseDto } from './authenticate-refresh.dto';

/**
 * Seed 002 keeps the core error body and names statuses its own way: an unknown refresh token
 * is 404 Not Found; every other refusal of a token is 401.
 */
@Catch()
@Injectable()
export class AuthenticateRefreshErrorFilter extends ProfileErrorFilter {
  protected toProfile(rendered: RenderedError): ProfileResponse {
    const code = rendered.body.error.code;
    // Seed 002 documents 404 for an unknown token, and 500 as its only server error.
    const status =
      code === 'invalid_refresh_token'
        ? 404
        : code === 'service_unavailable'
          ? 500
          : rendered.status;
    return { status, body: rendered.body };
  }
}

const errorExample = (code: string, message: string) => ({
  error: { code, message, target: 'refreshToken', details: [] },
});

@ApiTags('Profile: authenticate-refresh (POST /api/v1/authenticate/refresh)')
@ProfileController('api/v1/authenticate', AuthenticateRefreshErrorFilter)
export class AuthenticateRefreshController {
  constructor(private readonly tokens: TokenService) {}

  @Post('refresh')
  @TokenEndpoint()
  @RequireJsonBody()
  @ApiOperation({
    summary: 'Refresh an authentication token.',
    description:
      'Refresh an authentication token using a refresh token. Same sessions and rotation rules as POST /auth/token/refresh.',
  })
  @ApiBody({
    type: ProfileRefreshRequestDto,
    examples: { request: { value: { refreshToken: 'string' } } },
  })
  @ApiResponse({
    status: 200,
    description: 'JWT token refreshed.',
    type: AuthenticateRefreshResponseDto,
    example: { jwtToken: 'string', refreshToken: 'string' },
  })
  @ApiResponse({
    status: 400,
    description: 'Bad Request',
    type: ErrorBodyDto,
    example: errorExample('validation_failed', 'The request is not valid.'),
  })
  @ApiResponse({
    status: 401,
    description:
      'Unauthorized: `refresh_token_expired`, `refresh_token_reused` (the session is revoked), `session_revoked` or `session_expired`.',
    type: ErrorBodyDto,
    example: errorExample(
      'refresh_token_reused',
      'The refresh token was already used; the session has been revoked.',
    ),
  })
  @ApiResponse({
    status: 404,
    description: 'Not Found: unknown refresh token (`invalid_refresh_token`).',
    type: ErrorBodyDto,
    example: errorExample('invalid_refresh_token', 'The refresh token is not valid.'),
  })
  @ApiResponse({
    status: 429,
    description: 'Too many requests (`rate_limited`).',
    type: ErrorBodyDto,
  })
  @ApiResponse({
    status: 500,
    description:
      'Internal Server Error; also the database being unavailable (`service_unavailable`, with Retry-After).',
    type: ErrorBodyDto,
    example: { error: { code: 'internal_error', message: 'An internal error occurred.' } },
  })
  async refresh(
    @Body() body: ProfileRefreshRequestDto,
    @ClientIp() ip: string | null,
  ): Promise<AuthenticateRefreshResponseDto> {
    const tokens = await this.tokens.refresh(body.refreshToken, ip);
    return { jwtToken: tokens.accessToken, refreshToken: tokens.refreshToken };
  }
}

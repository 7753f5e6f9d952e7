import { Body, Catch, Injectable, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ClientIp } from '../../common/client-ip';
import type { RenderedError } from '../../common/error-body';
import type { ErrorCode } from '../../common/error-codes';
import { RequireJsonBody } from '../../common/json-body';
import { RefreshRotationService } from '../../sessions/refresh-rotation.service';
import { TokenEndpoint } from '../../token/token-endpoint.decorator';
import {
  ProfileController,
  ProfileErrorFilter,
  type ProfileResponse,
} from '../profile-error.filter';
import { ProfileRefreshRequestDto } from '../refresh-token-request.dto';
import { ClientSecretGuard } from './client-secret.guard';
import { WalletRefreshResponseDto, WalletRefreshStatusDto } from './wallet-refresh.dto';
import { WalletTokenService } from './wallet-token.service';

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  invalid_refresh_token: 'Invalid refresh token',
  refresh_token_expired: 'Refresh token expired',
  refresh_token_reused: 'Refresh token already used',
  session_revoked: 'Session revoked',
  session_expired: 'Session expired',
  rate_limited: 'Too many requests',
  internal_error: 'Internal server error',
  service_unavailable: 'Service unavailable',
};

/** Seed 004's body for every failure: `{ "status": <code>, "message": "..." }`. */
@Catch()
@Injectable()
export class WalletRefreshErrorFilter extends ProfileErrorFilter {
  protected toProfile(rendered: RenderedError): ProfileResponse {
    const code = rendered.body.error.code as ErrorCode;
    return {
      status: rendered.status,
      body: { status: rendered.status, message: MESSAGES[code] ?? rendered.body.error.message },
    };
  }
}

export const walletRefreshStatus = (code: number, message: string) => ({
  status: code,
  type: WalletRefreshStatusDto,
  example: { status: code, message },
});

@ApiTags('Profile: wallet-refresh (POST /api/v2/wallet/refresh)')
@ProfileController('api/v2/wallet', WalletRefreshErrorFilter)
export class WalletRefreshController {
  constructor(
    private readonly rotation: RefreshRotationService,
    private readonly walletTokens: WalletTokenService,
  ) {}

  @Post('refresh')
  // Above TokenEndpoint, so that its rate-limit guard runs first (guards run in the order the
  // decorators apply, bottom up): a request with a wrong client secret counts against its
  // address too, and a flood of them gets 429.
  @UseGuards(ClientSecretGuard)
  @TokenEndpoint()
  @RequireJsonBody()
  @ApiOperation({
    summary: 'Refresh Token',
    description:
      'Exchanges a refresh token for a single-use wallet token and the successor refresh token. ' +
      'The client secret is checked first: a missing or wrong one leaves the refresh token unused.',
  })
  @ApiHeader({
    name: 'x-client-secret',
    required: true,
    description: 'The `client_secret` of a client application (POST /clients).',
  })
  @ApiBody({
    type: ProfileRefreshRequestDto,
    examples: { request: { value: { refreshToken: 'eyJhbGciOiJSUzI1NiIsInR5cCI6I...' } } },
  })
  @ApiResponse({
    status: 200,
    description: 'Refresh Success',
    type: WalletRefreshResponseDto,
    example: {
      status: 200,
      message: 'Refresh Success',
      data: { walletToken: 'your_wallet_token_here', refreshToken: 'your_refresh_token_here' },
    },
  })
  @ApiResponse({
    ...walletRefreshStatus(400, 'refreshToken must be a string'),
    description: 'Invalid body.',
  })
  @ApiResponse({
    ...walletRefreshStatus(401, 'Invalid client secret'),
    description:
      'Missing or wrong client secret, or an invalid, expired, reused (the session is revoked) or revoked refresh token.',
  })
  @ApiResponse({ ...walletRefreshStatus(429, 'Too many requests'), description: 'Rate limited.' })
  @ApiResponse({
    ...walletRefreshStatus(500, 'Internal server error'),
    description: 'Unexpected failure.',
  })
  @ApiResponse({
    ...walletRefreshStatus(503, 'Service unavailable'),
    description: 'The database is unavailable; retry after Retry-After seconds.',
  })
  async refresh(
    @Body() body: ProfileRefreshRequestDto,
    @ClientIp() ip: string | null,
  ): Promise<WalletRefreshResponseDto> {
    const rotated = await this.rotation.exchange(body.refreshToken, ip);
    const walletToken = await this.walletTokens.issue(rotated);
    return {
      status: 200,
      message: 'Refresh Success',
      data: { walletToken, refreshToken: rotated.refreshToken },
    };
  }
}

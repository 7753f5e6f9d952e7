import { Controller, HttpCode, Post, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  WalletRefreshErrorFilter,
  walletRefreshStatus,
  WalletOperation,
} from '../../libs/auth/src';

/**
 * The standalone server's stand-in for a host operation guarded by seed 004's single-use
 * wallet token, so the flow can be tried end to end (and from Swagger UI).
 */
@ApiTags('Profile: wallet-refresh (POST /api/v2/wallet/refresh)')
@Controller('api/v2/wallet')
@UseFilters(WalletRefreshErrorFilter)
export class WalletOperationController {
  @Post('operation')
  @HttpCode(200)
  @WalletOperation()
  @ApiOperation({
    summary: 'Wallet operation',
    description:
      'Accepts each wallet token (from POST /api/v2/wallet/refresh) once, as `Authorization: Bearer <walletToken>`.',
  })
  @ApiResponse({
    ...walletRefreshStatus(200, 'Operation Accepted'),
    description: 'The wallet token was accepted (and is now spent).',
  })
  @ApiResponse({
    ...walletRefreshStatus(401, 'The wallet token is missing, invalid, expired or already used.'),
    description: 'No usable wallet token.',
  })
  operation(): { status: number; message: string } {
    return { status: 200, message: 'Operation Accepted' };
  }
}

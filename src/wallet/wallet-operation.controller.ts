import { Controller, HttpCode, Post, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Seed004ErrorFilter, seed004Status, WalletOperation } from '../../libs/auth/src';

/**
 * The standalone server's stand-in for a host operation guarded by seed 004's single-use
 * wallet token, so the flow can be tried end to end (and from Swagger UI).
 */
@ApiTags('Profile: seed 004 (POST /api/v2/wallet/refresh)')
@Controller('api/v2/wallet')
@UseFilters(Seed004ErrorFilter)
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
    ...seed004Status(200, 'Operation Accepted'),
    description: 'The wallet token was accepted (and is now spent).',
  })
  @ApiResponse({
    ...seed004Status(401, 'The wallet token is missing, invalid, expired or already used.'),
    description: 'No usable wallet token.',
  })
  operation(): { status: number; message: string } {
    return { status: 200, message: 'Operation Accepted' };
  }
}

import { applyDecorators, HttpCode, UseGuards } from '@nestjs/common';
import { Public } from '../common/decorators';
import { NoStore } from '../common/no-store.decorator';
import { TokenRateLimitGuard } from './token-rate-limit.guard';

/**
 * A public endpoint that issues tokens: rate limited per client IP, 200, never cached.
 * Its error responses are documented by each wire format.
 */
export function TokenEndpoint(): MethodDecorator {
  return applyDecorators(Public(), UseGuards(TokenRateLimitGuard), HttpCode(200), NoStore());
}

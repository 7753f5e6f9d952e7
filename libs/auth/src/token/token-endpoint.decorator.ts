import { applyDecorators, Header, HttpCode, UseGuards } from '@nestjs/common';
import { ApiErrors } from '../common/api-errors.decorator';
import { Public } from '../common/decorators';
import { TokenRateLimitGuard } from './token-rate-limit.guard';

/** A public endpoint that issues tokens: rate limited per client IP, 200, never cached. */
export function TokenEndpoint(): MethodDecorator {
  return applyDecorators(
    Public(),
    UseGuards(TokenRateLimitGuard),
    HttpCode(200),
    Header('Cache-Control', 'no-store'),
    ApiErrors(429),
  );
}

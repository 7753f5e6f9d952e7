import {
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { Public } from '../../common/decorators';
import { DomainError } from '../../common/domain-error';
import { AUTH_METRICS, type AuthMetricsSink } from '../../metrics/auth-metrics';
import { type WalletPrincipal, WalletTokenService } from './wallet-token.service';

export const WALLET_TOKEN_SECURITY = 'wallet-token';

interface WalletRequest {
  headers: Record<string, string | string[] | undefined>;
  walletPrincipal?: WalletPrincipal;
}

/**
 * Accepts a seed-004 wallet token (`Authorization: Bearer <walletToken>`) once: the first
 * request with a given token passes, every later one is refused. Accepts nothing else: an
 * access token is of another type and fails verification.
 */
@Injectable()
export class WalletTokenGuard implements CanActivate {
  constructor(
    private readonly walletTokens: WalletTokenService,
    @Inject(AUTH_METRICS) private readonly metrics: AuthMetricsSink,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<WalletRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    const principal = match ? await this.walletTokens.redeem(match[1]) : undefined;
    if (!principal) {
      this.metrics.authFailed('invalid_wallet_token');
      throw new DomainError(
        'unauthorized',
        'The wallet token is missing, invalid, expired or already used.',
      );
    }
    request.walletPrincipal = principal;
    return true;
  }
}

/**
 * Marks a host route as a wallet operation: open to the bearer of a wallet token (once per
 * token) instead of an access token. Carries the OpenAPI security note too.
 */
export function WalletOperation(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    Public(),
    UseGuards(WalletTokenGuard),
    ApiBearerAuth(WALLET_TOKEN_SECURITY),
  );
}

import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ClientsService } from '../../clients/clients.service';
import { DomainError } from '../../common/domain-error';
import { AUTH_METRICS, type AuthMetricsSink } from '../../metrics/auth-metrics';

/**
 * Seed 004 requires `x-client-secret`, the secret of a client application. As a guard it runs
 * before the body is even validated, so a missing or wrong secret never touches the refresh
 * token.
 */
@Injectable()
export class ClientSecretGuard implements CanActivate {
  constructor(
    private readonly clients: ClientsService,
    @Inject(AUTH_METRICS) private readonly metrics: AuthMetricsSink,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const secret = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>()
      .headers['x-client-secret'];
    if (
      typeof secret !== 'string' ||
      secret.length === 0 ||
      secret.length > 256 ||
      !(await this.clients.findBySecret(secret))
    ) {
      this.metrics.authFailed('invalid_client_secret');
      throw new DomainError('unauthorized', 'Invalid client secret');
    }
    return true;
  }
}

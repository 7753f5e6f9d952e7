import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AUTH_ROLES_KEY, IS_PUBLIC_KEY } from '../common/decorators';
import { DomainError } from '../common/domain-error';
import type { Principal, Role } from '../common/principal';
import { SessionLivenessCache } from '../sessions/session-liveness.cache';
import { BEARER_STRATEGY } from './jwt.strategy';

/**
 * The bearer guard. Registered globally by default: a route is open only when marked
 * `@Public()`; every other route needs a valid access token, and the roles that
 * `@Authenticated({ roles })` lists.
 */
@Injectable()
export class BearerAuthGuard extends AuthGuard(BEARER_STRATEGY) {
  constructor(
    private readonly reflector: Reflector,
    private readonly liveness: SessionLivenessCache,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) {
      return true;
    }
    await super.canActivate(context);
    const roles =
      this.reflector.getAllAndOverride<Role[] | undefined>(AUTH_ROLES_KEY, targets) ?? [];
    const principal = context.switchToHttp().getRequest<{ user: Principal }>().user;
    // A valid signature is not enough: the token's session must still be live (not revoked,
    // its key not revoked, its user not suspended).
    if (!(await this.liveness.isLive(principal.sessionId))) throw new DomainError('unauthorized');
    if (roles.length > 0 && !roles.includes(principal.role)) {
      throw new DomainError('forbidden');
    }
    return true;
  }

  override handleRequest<TUser = Principal>(error: unknown, user: TUser | false): TUser {
    if (error || !user) {
      throw new DomainError('unauthorized');
    }
    return user;
  }
}

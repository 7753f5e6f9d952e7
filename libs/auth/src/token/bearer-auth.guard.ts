import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AUTH_ROLES_KEY, IS_PUBLIC_KEY } from '../common/decorators';
import { DomainError } from '../common/domain-error';
import type { Principal, Role } from '../common/principal';
import { SessionLivenessCache } from '../sessions/session-liveness.cache';
import { BEARER_STRATEGY } from './jwt.strategy';
import { VerifiedTokenCache } from './verified-token.cache';

interface BearerRequest {
  headers: Record<string, string | string[] | undefined>;
  user?: Principal;
}

/** The token of `Authorization: Bearer <token>`, extracted as passport-jwt extracts it. */
function bearerTokenOf(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1] : undefined;
}

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
    private readonly verified: VerifiedTokenCache,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) {
      return true;
    }
    const request = context.switchToHttp().getRequest<BearerRequest>();
    const token = bearerTokenOf(request.headers.authorization);
    let principal = token === undefined ? undefined : this.verified.get(token);
    if (principal) {
      request.user = principal;
    } else {
      await super.canActivate(context);
      if (!request.user) throw new DomainError('unauthorized');
      principal = request.user;
      if (token !== undefined) this.verified.remember(token, principal);
    }
    const roles =
      this.reflector.getAllAndOverride<Role[] | undefined>(AUTH_ROLES_KEY, targets) ?? [];
    // A valid signature is not enough: the token's session must still be live (not revoked,
    // its key not revoked, its user not suspended). Checked on every request, cached or not.
    if (!(await this.liveness.isLive(principal.sessionId))) {
      if (token !== undefined) this.verified.forget(token);
      throw new DomainError('unauthorized');
    }
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

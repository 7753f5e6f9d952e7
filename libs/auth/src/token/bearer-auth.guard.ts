import { type ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AUTH_ROLES_KEY, AUTH_SCOPES_KEY, IS_PUBLIC_KEY } from '../common/auth-metadata';
import { DomainError } from '../common/domain-error';
import type { Principal, Role } from '../common/principal';
import { AUTH_METRICS, type AuthMetricsSink } from '../metrics/auth-metrics';
import {
  type GuardedRequest,
  requestOfContext,
  responseOfContext,
} from '../common/request-of-context';
import { SessionLivenessCache } from '../sessions/session-liveness.cache';
import { BEARER_STRATEGY } from './jwt.strategy';
import { VerifiedTokenCache } from './verified-token.cache';

/**
 * Set on a request once the guard has let it through: a route under both the global guard and
 * `@Authenticated()`'s own guard is checked once, not twice (both read the same route metadata,
 * so the second check could only repeat the first).
 */
const CHECKED = Symbol('auth:bearer-checked');

type BearerRequest = GuardedRequest & { user?: Principal; [CHECKED]?: true };

/** RFC 6750 §3: no error code when no token was sent; `invalid_token` or `insufficient_scope` otherwise. */
type BearerChallenge = 'missing' | 'invalid_token' | 'insufficient_scope';

/** The token of `Authorization: Bearer <token>`, extracted as passport-jwt extracts it. */
function bearerTokenOf(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1] : undefined;
}

/**
 * The bearer guard: a valid access token of a live session, and one of the roles that
 * `@Authenticated({ roles })` lists. Runs on every route when the module's global guard is on
 * (routes marked `@Public()` excepted), and on each route marked `@Authenticated()` in any case.
 *
 * Guards HTTP routes and GraphQL resolvers (the request taken from the GraphQL context's
 * `req`). Other contexts (WebSockets, microservices) are let through untouched: it has no
 * request to read a token from there, and throwing would break a host's gateways.
 */
@Injectable()
export class BearerAuthGuard extends AuthGuard(BEARER_STRATEGY) {
  /**
   * The caches are optional so that a controller marked `@Authenticated()` compiles in a
   * testing module without AuthModule (as `nest new`'s controller specs build it); a request
   * reaching the guard without them fails (500), never passes.
   */
  constructor(
    private readonly reflector: Reflector,
    @Optional()
    @Inject(SessionLivenessCache)
    private readonly liveness: SessionLivenessCache | null,
    @Optional() @Inject(VerifiedTokenCache) private readonly verified: VerifiedTokenCache | null,
    private readonly adapterHost: HttpAdapterHost,
    @Optional() @Inject(AUTH_METRICS) private readonly metrics: AuthMetricsSink | null = null,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    // Public routes first: the token endpoints pass here on every request, and need nothing else.
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) {
      return true;
    }
    const request = requestOfContext(context) as BearerRequest | undefined;
    if (request === undefined || request[CHECKED]) return true;
    const { liveness, verified } = this;
    if (!liveness || !verified) {
      throw new Error('BearerAuthGuard runs in an app without AuthModule: import AuthModule');
    }
    const token = bearerTokenOf(request.headers.authorization);
    if (token === undefined) this.refuse(context, 'missing');
    let principal = verified.get(token);
    if (principal) {
      request.user = principal;
    } else {
      try {
        await super.canActivate(context);
      } catch {
        this.refuse(context, 'invalid_token');
      }
      if (!request.user) this.refuse(context, 'invalid_token');
      principal = request.user;
      verified.remember(token, principal);
    }
    // A valid signature is not enough: the token's session must still be live (not revoked,
    // its key not revoked, its user not suspended). Checked on every request, cached or not.
    if (!(await liveness.isLive(principal.sessionId))) {
      verified.forget(token);
      this.refuse(context, 'invalid_token');
    }
    const roles =
      this.reflector.getAllAndOverride<Role[] | undefined>(AUTH_ROLES_KEY, targets) ?? [];
    if (roles.length > 0 && !roles.includes(principal.role)) {
      this.refuse(context, 'insufficient_scope');
    }
    const scopes =
      this.reflector.getAllAndOverride<string[] | undefined>(AUTH_SCOPES_KEY, targets) ?? [];
    if (scopes.length > 0 && !scopes.every((scope) => principal.scopes?.includes(scope))) {
      this.refuse(context, 'insufficient_scope', scopes);
    }
    request[CHECKED] = true;
    return true;
  }

  override getRequest(context: ExecutionContext): unknown {
    return requestOfContext(context);
  }

  // Not in passport's typings, but its canActivate calls it (the mixin's default is HTTP-only).
  getResponse(context: ExecutionContext): unknown {
    return responseOfContext(context);
  }

  override handleRequest<TUser = Principal>(error: unknown, user: TUser | false): TUser {
    if (error || !user) {
      throw new DomainError('unauthorized');
    }
    return user;
  }

  /**
   * Throws 401 `unauthorized` or 403 `forbidden`, after setting the RFC 6750 challenge on the
   * response itself: on a host's own route the host's exception handling renders the error,
   * and it knows nothing of the library's headers.
   */
  private refuse(
    context: ExecutionContext,
    challenge: BearerChallenge,
    requiredScopes?: string[],
  ): never {
    // A token was presented and refused (no token at all, or a role missing, is no failed
    // authentication).
    if (challenge === 'invalid_token') this.metrics?.authFailed('invalid_access_token');
    const response = responseOfContext(context);
    const adapter = this.adapterHost?.httpAdapter;
    if (response && adapter) {
      adapter.setHeader(
        response,
        'WWW-Authenticate',
        challenge === 'missing'
          ? 'Bearer'
          : `Bearer error="${challenge}"${requiredScopes ? `, scope="${requiredScopes.join(' ')}"` : ''}`,
      );
    }
    // A role missing is the contract's `forbidden`; a scope missing, `insufficient_scope`.
    if (requiredScopes) throw new DomainError('insufficient_scope');
    throw new DomainError(challenge === 'insufficient_scope' ? 'forbidden' : 'unauthorized');
  }
}

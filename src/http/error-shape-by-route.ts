import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import { ErrorFilter, renderError, WalletRefreshErrorFilter } from '../../libs/auth/src';
import { OAuthErrorFilter } from '../../libs/auth/src/oauth/oauth-error.filter';
import type { ProfileName } from '../../libs/auth/src/profiles/profile-names';
import { LoginRefreshTokenErrorFilter } from '../../libs/auth/src/profiles/login-refresh-token/login-refresh-token.controller';

/**
 * The errors raised before a route's handler runs: Fastify's body parsers (malformed JSON or
 * form, a body over the limit, an unsupported content type). They reach the application's
 * global filter, not the route's own, since the route never ran.
 */
const BODY_PARSER_STATUSES = new Set([400, 413, 415]);

/**
 * The global filter: the core error shape, except for a body that could not be parsed on a
 * route whose wire format has another shape (OAuth's RFC 6749 body, seeds 003 and 004): that
 * error is rendered by the route's own filter, as every other error of the route is. Only
 * POSTs to those exact paths: anything else there is not the route (404 in the core shape).
 */
export class ErrorShapeByRouteFilter implements ExceptionFilter {
  private readonly core: ErrorFilter;
  private readonly byRoute: Map<string, ExceptionFilter>;

  constructor(adapterHost: HttpAdapterHost, profiles: readonly ProfileName[]) {
    this.core = new ErrorFilter(adapterHost);
    const oauth = new OAuthErrorFilter(adapterHost);
    this.byRoute = new Map<string, ExceptionFilter>([
      ['/oauth/token', oauth],
      ['/oauth/revoke', oauth],
      ['/oauth/introspect', oauth],
    ]);
    if (profiles.includes('login-refresh-token'))
      this.byRoute.set('/api/login/refresh-token', new LoginRefreshTokenErrorFilter(adapterHost));
    if (profiles.includes('wallet-refresh')) {
      const walletRefresh = new WalletRefreshErrorFilter(adapterHost);
      this.byRoute.set('/api/v2/wallet/refresh', walletRefresh);
      this.byRoute.set('/api/v2/wallet/operation', walletRefresh);
    }
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<{ method: string; url: string }>();
    const path = request.url.split('?', 1)[0];
    const routeFilter = request.method === 'POST' ? this.byRoute.get(path) : undefined;
    const filter =
      routeFilter && BODY_PARSER_STATUSES.has(renderError(exception).status)
        ? routeFilter
        : this.core;
    filter.catch(exception, host);
  }
}

import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  Injectable,
  Logger,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { logAnsweredError } from '../common/answered-error-log';
import { renderError } from '../common/error-body';
import type { ErrorCode } from '../common/error-codes';

/** An RFC 6749 §5.2 error raised by the OAuth endpoints themselves. */
export class OAuthError extends Error {
  constructor(
    readonly error:
      'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type',
    readonly description: string,
  ) {
    super(description);
  }
}

const BY_CODE: Partial<Record<ErrorCode, [number, string]>> = {
  validation_failed: [400, 'invalid_request'],
  invalid_scope: [400, 'invalid_scope'],
  invalid_target: [400, 'invalid_target'],
  payload_too_large: [400, 'invalid_request'],
  unsupported_media_type: [400, 'invalid_request'],
  invalid_credentials: [401, 'invalid_client'],
  invalid_refresh_token: [400, 'invalid_grant'],
  refresh_token_expired: [400, 'invalid_grant'],
  refresh_token_reused: [400, 'invalid_grant'],
  session_revoked: [400, 'invalid_grant'],
  session_expired: [400, 'invalid_grant'],
  rate_limited: [429, 'rate_limited'],
  // RFC 6749 §5.2 has no such code for the token endpoint; §4.1.2.1 names this one for a
  // server that is "temporarily overloaded or under maintenance", which clients recognise.
  service_unavailable: [503, 'temporarily_unavailable'],
};

/**
 * Renders errors of the OAuth endpoints per RFC 6749 §5.2: `{error, error_description}`,
 * `Cache-Control: no-store`, and for `invalid_client` a 401 with `WWW-Authenticate: Basic`.
 * The rotation outcomes (expired, reused, revoked) all become `invalid_grant`; their detail
 * goes in the description.
 */
@Catch()
@Injectable()
export class OAuthErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('OAuthErrorFilter');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const adapter = this.adapterHost.httpAdapter;
    const response: unknown = host.switchToHttp().getResponse();
    let status: number;
    let body: { error: string; error_description: string };
    if (exception instanceof OAuthError) {
      status = exception.error === 'invalid_client' ? 401 : 400;
      body = { error: exception.error, error_description: exception.description };
    } else {
      const rendered = renderError(exception);
      logAnsweredError(
        this.logger,
        { exception, unexpected: rendered.unexpected },
        host.switchToHttp().getRequest<unknown>(),
        adapter,
      );
      const [mappedStatus, error] = BY_CODE[rendered.body.error.code as ErrorCode] ?? [
        500,
        'server_error',
      ];
      status = mappedStatus;
      body = { error, error_description: rendered.body.error.message };
      for (const [name, value] of Object.entries(rendered.headers ?? {}))
        adapter.setHeader(response, name, value);
    }
    if (body.error === 'invalid_client')
      adapter.setHeader(response, 'WWW-Authenticate', 'Basic realm="oauth", charset="UTF-8"');
    adapter.setHeader(response, 'Cache-Control', 'no-store');
    adapter.setHeader(response, 'Pragma', 'no-cache');
    adapter.reply(response, body, status);
  }
}

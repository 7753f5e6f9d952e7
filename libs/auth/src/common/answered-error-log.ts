import type { HttpServer, Logger } from '@nestjs/common';
import { DomainError } from './domain-error';

/**
 * What the library's exception filters log about an error they answer, with the request's id
 * (`req_id`) so that the line joins the request's access line:
 * - an unexpected error at `error`, by class name and driver code only: its message may quote
 *   SQL or a query's parameters, which can hold token hashes;
 * - a domain error's own log line (a replayed refresh token) at `warn`.
 * Other errors are the caller's mistakes, answered and not logged.
 *
 * The request's id is read from the request here rather than found through an
 * AsyncLocalStorage: on Node 20 and 22 one puts an async hook on every promise of every request.
 */
export function logAnsweredError(
  logger: Logger,
  answered: { exception: unknown; unexpected: boolean },
  request: unknown,
  adapter: HttpServer,
): void {
  const { exception } = answered;
  if (exception instanceof DomainError && exception.logLine) {
    logger.warn({
      msg: exception.logLine.message,
      ...withRequestId(request),
      ...exception.logLine.fields,
    });
  }
  if (!answered.unexpected) return;
  const method = String(adapter.getRequestMethod?.(request));
  const path = pathOf(String(adapter.getRequestUrl?.(request)));
  logger.error({
    msg: `unexpected ${describe(exception)} on ${method} ${path}`,
    ...withRequestId(request),
  });
}

/**
 * The id the host's HTTP layer gave the request: Fastify's `request.id` (the server takes it
 * from X-Request-Id), or `req.id` as pino-http and request-id middleware set it on Express.
 */
function withRequestId(request: unknown): { req_id?: string } {
  const id = (request as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? { req_id: String(id) } : {};
}

function describe(exception: unknown): string {
  if (exception instanceof Error) {
    const code = (exception as { code?: unknown }).code;
    return typeof code === 'string' ? `${exception.name} (${code})` : exception.name;
  }
  return typeof exception;
}

/** The path without its query string: query strings may carry tokens. */
function pathOf(url: string): string {
  const index = url.indexOf('?');
  return index === -1 ? url : url.slice(0, index);
}

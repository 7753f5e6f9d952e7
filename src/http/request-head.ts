import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { DomainError, renderError } from '../../libs/auth/src';

/**
 * The longest request URL served. No route needs more than a few hundred bytes; longer is
 * 414. It is half Node's header limit (`MAX_HEADER_BYTES`), which also counts the request
 * line, so a URL between the two gets this 414 and only a longer one the parser's 431.
 */
export const MAX_URL_BYTES = 8 * 1024;

/** Node's limit on the request line plus headers (its default, stated here beside the URL limit). */
export const MAX_HEADER_BYTES = 16 * 1024;

/**
 * What is wrong with a request's head that Node and Fastify let through, if anything:
 * - a URL over `MAX_URL_BYTES`: 414;
 * - an HTTP/1.1 request without `Host` (RFC 9112 §3.2 makes it a 400). Node checks this
 *   itself but answers with an empty body, so its check is off (`requireHostHeader: false`)
 *   and made here instead.
 */
export function requestHeadRefusal(
  request: Pick<IncomingMessage, 'url' | 'httpVersion' | 'headers'>,
): DomainError | undefined {
  if ((request.url?.length ?? 0) > MAX_URL_BYTES) return new DomainError('uri_too_long');
  if (request.httpVersion === '1.1' && request.headers.host === undefined)
    return new DomainError('validation_failed', 'The Host header is required.');
  return undefined;
}

/**
 * Refuses such requests in the contract's shape before any route runs. An `onRequest` hook,
 * added after the security headers' hook, so the refusal carries them as well.
 *
 * It also closes the connection after a request asking for a protocol `Upgrade` (which no
 * route grants; the request itself is served). Node's parser keeps that request's upgrade
 * flag, and with it drops every later parse error on the connection silently: a malformed
 * request sent next on it would get no answer at all.
 */
export function installRequestHeadChecks(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.headers.upgrade !== undefined) void reply.header('connection', 'close');
    const refusal = requestHeadRefusal(request.raw);
    if (refusal === undefined) {
      done();
      return;
    }
    const { status, body } = renderError(refusal);
    // Answering from the hook ends the request here: `done` is not called.
    void reply.code(status).send(body);
  });
}

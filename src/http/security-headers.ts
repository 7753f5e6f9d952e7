import type { FastifyInstance } from 'fastify';

/**
 * The response headers every answer of the standalone server carries, errors, 404s and the
 * Swagger UI included:
 * - `X-Content-Type-Options: nosniff`: a browser never runs a JSON body as a script or page;
 * - `Content-Security-Policy: frame-ancestors 'none'`: nothing may frame us (clickjacking).
 *   Only that directive: a script or style policy would break Swagger UI's inline bootstrap,
 *   and a JSON API renders nothing else;
 * - `Strict-Transport-Security` when the issuer is https: the server is meant to be reached
 *   over TLS only, so browsers remember that (no `includeSubDomains`: the issuer's parent
 *   domain is not ours to commit).
 *
 * A Fastify `onRequest` hook rather than @fastify/helmet: helmet's defaults send about a dozen
 * headers (a CSP made for HTML pages among them, which Swagger UI's inline script breaks), and
 * it is another plugin on the hot token and refresh paths. This adds one object copy into the
 * reply's headers per request. `Cache-Control: no-store` is per route, in the library
 * (`NoStore`), so it holds under an Express host too.
 */
export function securityHeadersFor(issuer: string): Readonly<Record<string, string>> {
  return Object.freeze({
    'x-content-type-options': 'nosniff',
    'content-security-policy': "frame-ancestors 'none'",
    ...(new URL(issuer).protocol === 'https:' && {
      'strict-transport-security': 'max-age=31536000',
    }),
  });
}

/**
 * `echoRequestId`: also answer the request's id (`X-Request-Id`, see logging/request-id.ts) in
 * the same hook, rather than in one more hook every request would pass through.
 */
export function installSecurityHeaders(
  fastify: FastifyInstance,
  headers: Readonly<Record<string, string>>,
  echoRequestId = false,
): void {
  // onRequest runs for every request Fastify routes, its 404 handler and body-parse
  // failures included, before any handler, so every reply built after it carries these.
  if (echoRequestId) {
    fastify.addHook('onRequest', (request, reply, done) => {
      reply.headers(headers);
      void reply.header('x-request-id', request.id);
      done();
    });
    return;
  }
  fastify.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}

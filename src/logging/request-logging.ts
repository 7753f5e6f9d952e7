import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestLogContext } from './request-log-context';

/** The principal the bearer guard set on the request, when a route required one. */
interface RequestWithPrincipal extends FastifyRequest {
  user?: { apiUserId?: string; sessionId?: string };
}

/**
 * Per request: `X-Request-Id` is echoed; every line logged while the request is served goes
 * through its child logger (with `req_id`); and once the response is sent, one access line
 * at `info` with the contract's fields. Fastify's own request lines are off (they would log
 * the URL with its query string, which can carry a token).
 */
export function installRequestLogging(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    requestLogContext.run(request.log, done);
  });
  fastify.addHook('onResponse', (request: RequestWithPrincipal, reply: FastifyReply, done) => {
    const principal = request.user;
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? null,
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 1000) / 1000,
        ip: request.ip,
        ...(principal?.apiUserId && { api_user_id: principal.apiUserId }),
        ...(principal?.sessionId && { session_id: principal.sessionId }),
      },
      'request completed',
    );
    done();
  });
}

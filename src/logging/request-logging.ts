import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ResponseObserver } from '../http/response-observers';
import type { Logger } from 'pino';

/** The principal the bearer guard set on the request, when a route required one. */
interface RequestWithPrincipal extends FastifyRequest {
  user?: { apiUserId?: string; sessionId?: string };
}

/**
 * The access line: once the response is sent, one line at `info` with the contract's fields
 * and the request's `req_id` (a response observer). The lines the library logs while
 * answering (errors, a replayed refresh token) carry the same `req_id` because its filters
 * pass it (logAnsweredError), not through an AsyncLocalStorage: on Node 20 and 22 one puts an
 * async hook on every promise of every request. Fastify's own request lines are off (they
 * would log the URL with its query string, which can carry a token).
 */
export function accessLogObserver(access: Logger): ResponseObserver {
  return (request: RequestWithPrincipal, reply: FastifyReply) => {
    const principal = request.user;
    access.info(
      {
        req_id: request.id,
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
  };
}

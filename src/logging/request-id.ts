import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** What an incoming `X-Request-Id` may be to be kept: a proxy's or client's id, not a payload. */
const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:/+=-]{1,128}$/;

/**
 * The request's id (Fastify's `genReqId`): the caller's `X-Request-Id` when it looks like an
 * id, else a new random UUID. It is echoed in the response and logged as `req_id`.
 */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && ACCEPTED_REQUEST_ID.test(given) ? given : randomUUID();
}

import type { IncomingMessage } from 'node:http';
import type { FastifyReply } from 'fastify';
import { DomainError, renderError } from '../../libs/auth/src';
import { requestHeadRefusal } from './request-head';

/**
 * Fastify's router answers some malformed URLs itself, before Nest sees the request, in its
 * own body that echoes the whole URL. These are rendered in the contract's error shape instead:
 * a URL over the length limit is 414 as everywhere else; a path parameter too long to be any
 * id we issue names nothing (404); a URL that cannot be decoded is a bad request (400).
 *
 * No `onRequest` hook runs for these replies, so the security headers are set here.
 */
export function frameworkErrorRenderer(
  securityHeaders: Readonly<Record<string, string>>,
): (
  error: { code?: string },
  request: { raw: Pick<IncomingMessage, 'url' | 'httpVersion' | 'headers'> },
  reply: FastifyReply,
) => void {
  return (error, request, reply) => {
    const domainError =
      requestHeadRefusal(request.raw) ??
      (error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? new DomainError('not_found')
        : new DomainError('validation_failed', 'The URL is malformed.'));
    const { status, body } = renderError(domainError);
    // As in the request-head hook (which does not run here): a connection that asked for an
    // Upgrade is closed after the answer.
    if (request.raw.headers.upgrade !== undefined) void reply.header('connection', 'close');
    void reply.headers(securityHeaders).code(status).send(body);
  };
}

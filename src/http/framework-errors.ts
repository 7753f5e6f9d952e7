import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, renderError } from '../../libs/auth/src';

/**
 * Fastify's router answers some malformed URLs itself, before Nest sees the request, in its
 * own body that echoes the whole URL. These are rendered in the contract's error shape instead:
 * a path parameter too long to be any id we issue names nothing (404); a URL that cannot be
 * decoded is a bad request (400).
 */
export function renderFrameworkError(
  error: { code?: string },
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const domainError =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new DomainError('not_found')
      : new DomainError('validation_failed', 'The URL is malformed.');
  const { status, body } = renderError(domainError);
  void reply.code(status).send(body);
}

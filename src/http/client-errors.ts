import type { Duplex } from 'node:stream';
import { DomainError } from '../../libs/auth/src';
import { answerOnSocket, rawErrorAnswer } from './raw-answer';

/** A method token as HTTP defines one (RFC 9110 §9.1: a `token`), then the space before the target. */
const METHOD_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+ /;

/** What Node's parser reports; `rawPacket` is the chunk it failed on (a Buffer at run time). */
interface ClientError extends Error {
  code?: string;
  rawPacket?: unknown;
}

/**
 * The answer to a request Node's HTTP parser refused, before Fastify or any route saw it.
 * Only the error's kind chooses the answer: nothing of the request is echoed back.
 */
export function clientErrorFor(error: ClientError): DomainError {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new DomainError('request_header_fields_too_large');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new DomainError('request_timeout');
    case 'HPE_INVALID_METHOD':
      // A well-formed token Node does not know (`FOO /x`) is a method no route serves, the
      // 404 Fastify gives PROPFIND or PURGE; bytes that are no token at all are not HTTP.
      if (
        Buffer.isBuffer(error.rawPacket) &&
        METHOD_TOKEN.test(error.rawPacket.toString('latin1', 0, 64))
      )
        return new DomainError('not_found', 'No route serves this method.');
      return new DomainError('validation_failed', 'The request is not valid HTTP.');
    default:
      return new DomainError('validation_failed', 'The request is not valid HTTP.');
  }
}

/**
 * Fastify's `clientErrorHandler`: Node's `clientError` event, for bytes its parser refuses
 * (oversized headers, malformed request lines or headers, unknown methods, timeouts).
 * Fastify's default answers these in its own body; this answers in the contract's.
 */
export function clientErrorHandler(
  securityHeaders: Readonly<Record<string, string>>,
): (error: ClientError, socket: Duplex) => void {
  return (error, socket) => {
    // The peer is gone: there is nobody to answer.
    if (error.code === 'ECONNRESET') return;
    answerOnSocket(socket, rawErrorAnswer(clientErrorFor(error), securityHeaders));
  };
}

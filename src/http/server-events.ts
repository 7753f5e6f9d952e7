import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { DomainError } from '../../libs/auth/src';
import { answerOnSocket, rawErrorAnswer } from './raw-answer';

/**
 * Node's HTTP server answers two kinds of request itself, past Fastify, unless someone
 * listens for them:
 * - `CONNECT` (`connect` event): with no listener Node destroys the socket, so the client
 *   gets no answer at all. We are no proxy: it is answered 404, like any method no route
 *   serves (PROPFIND, PURGE), in the contract's shape.
 * - an `Expect` other than `100-continue` (`checkExpectation`): Node answers 417 with an
 *   empty body. RFC 9110 §10.1.1 lets a server ignore an expectation it does not know, and
 *   none of our routes has a use for one, so the request goes on to Fastify like any other.
 */
export function installServerEventAnswers(
  server: Server,
  securityHeaders: Readonly<Record<string, string>>,
): void {
  const connectAnswer = rawErrorAnswer(
    new DomainError('not_found', 'No route serves this method.'),
    securityHeaders,
  );
  server.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    answerOnSocket(socket, connectAnswer);
  });
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    server.emit('request', request, response);
  });
}

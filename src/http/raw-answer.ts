import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type DomainError, renderError } from '../../libs/auth/src';

/**
 * A complete HTTP/1.1 error response, as bytes, for the places where Node's HTTP server hands
 * us a bare socket instead of a response object: requests it could not parse (`clientError`)
 * and `CONNECT` requests. The body is the contract's error shape; the security headers are
 * those of every other answer. `Connection: close` because after a parse error the rest of
 * the byte stream cannot be trusted to start a new request.
 */
export function rawErrorAnswer(
  error: DomainError,
  securityHeaders: Readonly<Record<string, string>>,
): Buffer {
  const { status, body } = renderError(error);
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  const headers: Record<string, string> = {
    ...securityHeaders,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(payload.length),
    connection: 'close',
  };
  const head =
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
    Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('') +
    '\r\n';
  return Buffer.concat([Buffer.from(head, 'latin1'), payload]);
}

/**
 * Writes the answer and half-closes the socket once it is flushed. `end` rather than `write`
 * then `destroy` (what Node's and Fastify's default handlers do): destroying while the client
 * is still sending (a 431 arrives mid-headers) makes the kernel reset the connection, and the
 * client may lose the answer before reading it. The rest of what the client sends is read
 * and dropped until it closes, or for a few seconds at most.
 */
export function answerOnSocket(socket: Duplex, answer: Buffer): void {
  // A second parse error on the same stream (the parser stays in error): already answered.
  if (socket.destroyed || socket.writableEnded) return;
  // Part of a response already went out on this socket (a pipelined request's): bytes of
  // ours would corrupt it, so the only honest signal left is closing the connection.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || inFlight?.headersSent === true) {
    socket.destroy();
    return;
  }
  // A socket handed over by Node (CONNECT) has no error listener left: a reset from the
  // client would otherwise be an uncaught exception.
  if (socket.listenerCount('error') === 0) socket.on('error', ignore);
  socket.end(answer);
  socket.resume();
  const timer = setTimeout(() => socket.destroy(), 5000);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

function ignore(): void {}

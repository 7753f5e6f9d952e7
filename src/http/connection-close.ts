import type { FastifyInstance } from 'fastify';

/**
 * Once shutdown begins, every response says `Connection: close`, so its connection ends with
 * it. Node's server.close() only closes the connections idle at that moment: one busy with a
 * request would otherwise stay open, idle, for its whole keep-alive timeout, and hold up the
 * drain. The header tells the client too, so it opens its next request elsewhere instead of
 * racing the server's close on a reused connection. An `onSend` hook because it runs when the
 * response is sent: a request already past `onRequest` when shutdown began gets it as well.
 */
export function closeConnectionsWhileDraining(
  fastify: FastifyInstance,
  state: { readonly draining: boolean },
): void {
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (state.draining) reply.header('connection', 'close');
    done(null, payload);
  });
}

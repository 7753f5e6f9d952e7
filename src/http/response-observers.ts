import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Looks at a request once its response has been sent (metrics, the access line). */
export type ResponseObserver = (request: FastifyRequest, reply: FastifyReply) => void;

/**
 * One `onResponse` hook for all the observers: each hook Fastify runs costs every request a
 * turn through its hook runner, on top of the hook's own work. None: no hook at all.
 */
export function installResponseObservers(
  fastify: FastifyInstance,
  observers: readonly ResponseObserver[],
): void {
  if (observers.length === 0) return;
  fastify.addHook('onResponse', (request, reply, done) => {
    for (const observe of observers) observe(request, reply);
    done();
  });
}

import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyBaseLogger } from 'fastify';

/**
 * The logger of the request being served (Fastify's child logger carrying its `req_id`), for
 * every line logged while serving it, wherever in the library the line is written.
 */
export const requestLogContext = new AsyncLocalStorage<FastifyBaseLogger>();

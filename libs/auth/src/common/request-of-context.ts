import type { ExecutionContext } from '@nestjs/common';

/** What the library reads from, and writes to, the request of a guarded call. */
export interface GuardedRequest {
  headers: Record<string, string | string[] | undefined>;
  user?: unknown;
}

/**
 * The HTTP request behind a call, in the contexts the bearer guard supports: HTTP routes, and
 * GraphQL resolvers whose context carries the request as `req` (what `@nestjs/graphql` sets up
 * with the Express and Fastify drivers; read without importing it, so hosts without GraphQL
 * need nothing). `undefined` for other contexts (WebSockets, microservices) and for a GraphQL
 * context without a request.
 */
export function requestOfContext(context: ExecutionContext): GuardedRequest | undefined {
  switch (context.getType<string>()) {
    case 'http':
      return context.switchToHttp().getRequest<GuardedRequest>();
    case 'graphql': {
      // Resolver arguments are (root, args, context, info).
      const request = (context.getArgByIndex<{ req?: GuardedRequest } | undefined>(2) ?? {}).req;
      return request?.headers ? request : undefined;
    }
    default:
      return undefined;
  }
}

/** The response of an HTTP call, or of a GraphQL call whose context carries it as `res`/`reply`. */
export function responseOfContext(context: ExecutionContext): unknown {
  if (context.getType<string>() === 'http') return context.switchToHttp().getResponse<unknown>();
  const graphql = context.getArgByIndex<{ res?: unknown; reply?: unknown } | undefined>(2);
  return graphql?.res ?? graphql?.reply;
}

import { Header } from '@nestjs/common';

/**
 * For a response that carries a secret (a token, an API key secret, a client secret, a
 * registration token): no cache, shared or private, may keep it (RFC 9111 §5.2.2.5). A route
 * decorator, so it holds under any host adapter, Express or Fastify.
 */
export const NoStore = (): MethodDecorator => Header('Cache-Control', 'no-store');

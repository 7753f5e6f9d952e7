import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/**
 * The client address every rate limit, lockout, session and audit event uses: `request.ip` as
 * the adapter resolved it. The adapter alone decides whether X-Forwarded-For counts (Fastify's
 * `trustProxy`, which the standalone server sets from TRUST_PROXY; Express's `trust proxy`
 * setting, which a host on Express sets itself), so a forwarded address is believed only from
 * a trusted proxy. An IPv4 client on a dual-stack socket shows as `::ffff:a.b.c.d`; it is
 * written as `a.b.c.d`, so one client has one address whichever way it was reached.
 */
export function clientIpOf(request: {
  ip?: string;
  socket?: { remoteAddress?: string };
}): string | null {
  const ip = request.ip ?? request.socket?.remoteAddress ?? null;
  return ip?.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/** Injects the caller's IP address (for audit events), or null when unknown. */
export const ClientIp = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | null =>
    clientIpOf(context.switchToHttp().getRequest()),
);

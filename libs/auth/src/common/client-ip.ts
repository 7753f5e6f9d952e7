import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** The client address as the adapter resolved it (honours `trust proxy` when the host sets it). */
export function clientIpOf(request: {
  ip?: string;
  socket?: { remoteAddress?: string };
}): string | null {
  return request.ip ?? request.socket?.remoteAddress ?? null;
}

/** Injects the caller's IP address (for audit events), or null when unknown. */
export const ClientIp = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | null =>
    clientIpOf(context.switchToHttp().getRequest()),
);

import {
  applyDecorators,
  createParamDecorator,
  type ExecutionContext,
  SetMetadata,
} from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { errorExample } from './api-errors.decorator';
import { ErrorBodyDto } from './error-body.dto';
import type { Principal, Role } from './principal';

export const IS_PUBLIC_KEY = 'auth:is-public';
export const AUTH_ROLES_KEY = 'auth:roles';

/** Opts a route out of the global bearer guard. Every other route requires a bearer token. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);

export interface AuthenticatedOptions {
  /** Roles allowed to call the route; empty or absent means any authenticated API user. */
  roles?: Role[];
}

/**
 * Marks a route as requiring a bearer access token (and optionally a role). It carries both
 * the guard's metadata and the OpenAPI security note, so the two cannot drift apart.
 */
export function Authenticated(
  options: AuthenticatedOptions = {},
): MethodDecorator & ClassDecorator {
  const decorators = [
    SetMetadata(AUTH_ROLES_KEY, options.roles ?? []),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({
      description:
        'Missing, invalid or expired bearer token, or a revoked session (`unauthorized`).',
      type: ErrorBodyDto,
      example: errorExample(401),
    }),
  ];
  if (options.roles && options.roles.length > 0) {
    decorators.push(
      ApiForbiddenResponse({
        description: `Requires role ${options.roles.join(' or ')} (\`forbidden\`).`,
        type: ErrorBodyDto,
        example: errorExample(403),
      }),
    );
  }
  return applyDecorators(...decorators);
}

/** Injects the authenticated principal (the verified access token's subject). */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const request = context.switchToHttp().getRequest<{ user?: Principal }>();
    if (!request.user) {
      throw new Error('CurrentPrincipal used on a route without @Authenticated()');
    }
    return request.user;
  },
);

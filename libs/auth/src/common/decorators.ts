import {
  applyDecorators,
  createParamDecorator,
  type ExecutionContext,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtension,
  ApiForbiddenResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { BearerAuthGuard } from '../token/bearer-auth.guard';
import { errorExample } from './api-errors.decorator';
import {
  AUTH_ROLES_KEY,
  AUTH_SCOPES_KEY,
  IS_PUBLIC_KEY,
  PUBLIC_OPERATION_EXTENSION,
  REQUIRED_SCOPES_EXTENSION,
} from './auth-metadata';
import { ErrorBodyDto } from './error-body.dto';
import type { Principal, Role } from './principal';
import { requestOfContext } from './request-of-context';

/**
 * Opts a route out of the global bearer guard. Every other route requires a bearer token. Also
 * marks the operation public for documentAuthGuard, which documents the others as guarded.
 */
export const Public = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(IS_PUBLIC_KEY, true), ApiExtension(PUBLIC_OPERATION_EXTENSION, true));

export interface AuthenticatedOptions {
  /** Roles allowed to call the route; empty or absent means any authenticated API user. */
  roles?: Role[];
  /**
   * Scopes the token must carry, every one of them, in its `scope` claim; otherwise 403
   * `insufficient_scope`. A token without the claim (a key without scopes, no `scope` asked
   * for) carries none. Absent or empty: no scope is required.
   */
  scopes?: string[];
}

/**
 * Requires a bearer access token (and optionally a role) on a route or a controller. It
 * applies the bearer guard itself, so it guards with or without the module's global guard,
 * and carries the OpenAPI security note, so the check and the document cannot drift apart.
 */
export function Authenticated(
  options: AuthenticatedOptions = {},
): MethodDecorator & ClassDecorator {
  const decorators = [
    SetMetadata(AUTH_ROLES_KEY, options.roles ?? []),
    SetMetadata(AUTH_SCOPES_KEY, options.scopes ?? []),
    UseGuards(BearerAuthGuard),
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
  if (options.scopes && options.scopes.length > 0) {
    decorators.push(
      ApiForbiddenResponse({
        description: `Requires the scope${options.scopes.length > 1 ? 's' : ''} ${options.scopes.join(', ')} (\`insufficient_scope\`).`,
        type: ErrorBodyDto,
        example: errorExample(403),
      }),
      ApiExtension(REQUIRED_SCOPES_EXTENSION, options.scopes),
    );
  }
  return applyDecorators(...decorators);
}

/** Injects the authenticated principal (the verified access token's subject). */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const request = requestOfContext(context) as { user?: Principal } | undefined;
    if (!request?.user) {
      throw new Error('CurrentPrincipal used on a route without @Authenticated()');
    }
    return request.user;
  },
);

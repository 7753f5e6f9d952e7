import type { INestApplicationContext } from '@nestjs/common';
import type { DocumentBuilder, OpenAPIObject } from '@nestjs/swagger';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { PUBLIC_OPERATION_EXTENSION, REQUIRED_SCOPES_EXTENSION } from '../common/auth-metadata';
import { WALLET_TOKEN_SECURITY } from '../profiles/wallet-refresh/wallet-token.guard';

// Derived from the public types: @nestjs/swagger 11 and 12 keep the interfaces in different files.
type OperationObject = NonNullable<OpenAPIObject['paths'][string]['get']>;
type SecuritySchemeObject = Parameters<DocumentBuilder['addSecurity']>[1];

/**
 * The security schemes the library's operations name: `bearer` (access tokens), `basic` (the
 * OAuth endpoints' client authentication) and `wallet-token` (the wallet operation).
 */
export const AUTH_SECURITY_SCHEMES: Record<string, SecuritySchemeObject> = {
  bearer: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'An access token from POST /auth/token.',
  },
  basic: {
    type: 'http',
    scheme: 'basic',
    description: 'OAuth client authentication: the API key id and secret (client_secret_basic).',
  },
  [WALLET_TOKEN_SECURITY]: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A single-use wallet token from POST /api/v2/wallet/refresh.',
  },
};

/** Adds the library's security schemes to a host's document builder, before `build()`. */
export function addAuthSecuritySchemes(builder: DocumentBuilder): DocumentBuilder {
  for (const [name, scheme] of Object.entries(AUTH_SECURITY_SCHEMES)) {
    builder.addSecurity(name, scheme);
  }
  return builder;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** The scheme of operations that require scopes: OAuth 2.0 client credentials. */
export const OAUTH2_SECURITY = 'oauth2';

/** The client-credentials flow at the document's own token endpoint, with the declared scopes. */
function oauth2Scheme(
  document: OpenAPIObject,
  scopes: Record<string, string>,
): SecuritySchemeObject {
  const tokenPath = Object.keys(document.paths).find((path) => path.endsWith('/oauth/token'));
  return {
    type: 'oauth2',
    description:
      'An access token with scopes: client credentials (the API key id and secret) at the token endpoint, ' +
      'or POST /auth/token with `scope`. Keys carry the scopes they may grant.',
    flows: { clientCredentials: { tokenUrl: tokenPath ?? '/oauth/token', scopes } },
  };
}

/**
 * Completes a document made by `SwaggerModule.createDocument` for a host app with AuthModule:
 * - with the global guard on, every operation not marked `@Public()` and naming no security
 *   requirement of its own is guarded by the bearer guard, and is documented so (`bearer`, and a
 *   401 answer);
 * - every security scheme an operation names and the document lacks is added (for a document
 *   built without `addAuthSecuritySchemes`);
 * - an operation of `@Authenticated({ scopes })` is documented as requiring those scopes of the
 *   `oauth2` scheme (client credentials, with the scopes the module declares);
 * - the `x-auth-public` marker `@Public()` leaves on operations is removed.
 * Returns the same document, changed in place.
 */
export function documentAuthGuard(
  app: INestApplicationContext,
  document: OpenAPIObject,
): OpenAPIObject {
  const options = app.get<ResolvedAuthOptions>(AUTH_OPTIONS, { strict: false });
  const named = new Set<string>();
  for (const item of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method] as (OperationObject & Record<string, unknown>) | undefined;
      if (!operation) continue;
      const isPublic = operation[PUBLIC_OPERATION_EXTENSION] === true;
      delete operation[PUBLIC_OPERATION_EXTENSION];
      const requiredScopes = operation[REQUIRED_SCOPES_EXTENSION] as string[] | undefined;
      delete operation[REQUIRED_SCOPES_EXTENSION];
      if (requiredScopes?.length) operation.security = [{ [OAUTH2_SECURITY]: requiredScopes }];
      if (options.globalGuard && !isPublic && !(operation.security?.length ?? 0)) {
        operation.security = [{ bearer: [] }];
        operation.responses['401'] ??= {
          description:
            'Missing, invalid or expired bearer token, or a revoked session (`unauthorized`).',
        };
      }
      for (const requirement of operation.security ?? []) {
        for (const name of Object.keys(requirement)) named.add(name);
      }
    }
  }
  const components = (document.components ??= {});
  const schemes = (components.securitySchemes ??= {});
  for (const name of named) {
    if (!schemes[name] && AUTH_SECURITY_SCHEMES[name]) schemes[name] = AUTH_SECURITY_SCHEMES[name];
  }
  if (named.has(OAUTH2_SECURITY) || Object.keys(options.scopes).length > 0)
    schemes[OAUTH2_SECURITY] ??= oauth2Scheme(document, options.scopes);
  return document;
}

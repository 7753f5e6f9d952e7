/**
 * Metadata keys the decorators write and the bearer guard reads. In a file of their own so the
 * decorators can name the guard and the guard the keys without importing each other.
 */
export const IS_PUBLIC_KEY = 'auth:is-public';
export const AUTH_ROLES_KEY = 'auth:roles';
export const AUTH_SCOPES_KEY = 'auth:scopes';
/**
 * The OpenAPI extension `@Public()` sets on an operation, so that documentAuthGuard can tell
 * public operations from those the global guard covers (it removes the marker).
 */
export const PUBLIC_OPERATION_EXTENSION = 'x-auth-public';
/** The OpenAPI extension `@Authenticated({ scopes })` sets on an operation (documentAuthGuard removes it). */
export const REQUIRED_SCOPES_EXTENSION = 'x-required-scopes';

/**
 * Metadata keys the decorators write and the bearer guard reads. In a file of their own so the
 * decorators can name the guard and the guard the keys without importing each other.
 */
export const IS_PUBLIC_KEY = 'auth:is-public';
export const AUTH_ROLES_KEY = 'auth:roles';

import { DomainError } from './domain-error';

/**
 * Whether `value` may name a resource (RFC 8707 §2): an absolute URI without a fragment. The
 * list of allowed resources is checked with it; a request's `resource` need only equal one.
 */
export function isResourceUri(value: string): boolean {
  const url = value.includes('#') ? null : URL.parse(value);
  // `URL` accepts a scheme alone ("reports:"); a resource names something.
  return url !== null && url.href.length > url.protocol.length;
}

/**
 * The `aud` a new session's access tokens carry: the `resource` asked for, which must be one
 * of `allowed` exactly (anything else is `invalid_target`), or null when none is asked (the
 * module's `audience`).
 */
export function grantedAudience(
  resource: string | undefined,
  allowed: readonly string[],
): string | null {
  if (resource === undefined) return null;
  if (!allowed.includes(resource)) throw new DomainError('invalid_target', undefined, 'resource');
  return resource;
}

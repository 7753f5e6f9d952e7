import { DomainError } from './domain-error';

/** A scope's name (the contract's rule when a host declares none). */
export const SCOPE_NAME_PATTERN = /^[A-Za-z0-9:._-]{1,64}$/;

/** At most this many scopes on a key, or asked for in one request. */
export const MAX_SCOPES = 50;

/**
 * The scopes of a `scope` request parameter (RFC 6749 §3.3: space-delimited), in the order
 * given, without repeats; undefined when absent. Malformed names are `invalid_scope`.
 */
export function requestedScopes(parameter: string | undefined): string[] | undefined {
  if (parameter === undefined) return undefined;
  const names = [...new Set(parameter.split(' ').filter((name) => name !== ''))];
  if (
    names.length === 0 ||
    names.length > MAX_SCOPES ||
    !names.every((name) => SCOPE_NAME_PATTERN.test(name))
  )
    throw new DomainError('invalid_scope', undefined, 'scope');
  return names;
}

/**
 * The scope a new session is granted, space-separated (the `scope` claim), or null for none:
 * a key with scopes grants them, or those asked for among them (asking for another is
 * `invalid_scope`); a key without scopes, the role's full access, grants what is asked for
 * among the declared scopes (`declared` empty: any), or no claim when nothing is asked.
 */
export function grantedScope(
  keyScopes: string | null,
  requested: string[] | undefined,
  declared: Readonly<Record<string, string>>,
): string | null {
  if (keyScopes !== null) {
    if (requested === undefined) return keyScopes;
    const allowed = new Set(keyScopes.split(' '));
    if (!requested.every((name) => allowed.has(name)))
      throw new DomainError('invalid_scope', undefined, 'scope');
    return requested.join(' ');
  }
  if (requested === undefined) return null;
  if (!isDeclaredAll(requested, declared))
    throw new DomainError('invalid_scope', undefined, 'scope');
  return requested.join(' ');
}

/** Whether every name is a declared scope (with none declared: any well-formed name). */
export function isDeclaredAll(
  names: readonly string[],
  declared: Readonly<Record<string, string>>,
): boolean {
  const all = Object.keys(declared);
  return all.length === 0 || names.every((name) => Object.hasOwn(declared, name));
}

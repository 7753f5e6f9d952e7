import type { Principal } from '../../libs/auth/src';
import { DomainError } from '../../libs/auth/src/common/domain-error';
import { UUID_PATTERN } from '../../libs/auth/src/common/ids';
import { BASE64URL_PATTERN } from '../../libs/auth/src/common/crypto';

/**
 * Who acts at the command line: an operator with the database, not an API user. Audit events
 * name it `cli` (in `created_by` / `by`), as the server's own admin is named `bootstrap`.
 */
export const CLI_ACTOR: Principal = {
  apiUserId: 'cli',
  role: 'admin',
  sessionId: '',
  apiKeyId: '',
  tokenId: '',
  expiresAt: 0,
  scopes: null,
};

/** An API user id as the server issues them; any other value names no user (and no query runs). */
export function apiUserIdArg(value: string | undefined): string {
  if (typeof value !== 'string' || !UUID_PATTERN.test(value)) {
    throw new DomainError('not_found', 'No such API user.', 'id');
  }
  return value;
}

/** An API key id or a signing key id (base64url, at most 128 characters). */
export function publicIdArg(value: string | undefined, what: string, target: string): string {
  if (typeof value !== 'string' || value.length > 128 || !BASE64URL_PATTERN.test(value)) {
    throw new DomainError('not_found', `No such ${what}.`, target);
  }
  return value;
}

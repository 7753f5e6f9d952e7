import { addressAllowed } from '../api-users/address-allow-list';
import type { ApiUserStatus } from '../api-users/api-user.entity';
import type { Role } from '../common/principal';

/** A presented refresh token with everything an exchange decides on, read in one query. */
export interface ExchangeCandidate {
  tokenHash: string;
  sessionId: string;
  generation: number;
  createdAt: number;
  expiresAt: number;
  consumedAt: number | null;
  successorHash: string | null;
  successorSealed: string | null;
  apiUserId: string;
  apiKeyId: string;
  role: Role;
  userStatus: ApiUserStatus;
  sessionExpiresAt: number;
  sessionRevokedAt: number | null;
  /** The scopes granted when the session opened (the `scope` claim); null: none. */
  scope: string | null;
  /** The access tokens' `aud` asked for when the session opened (RFC 8707); null: the default. */
  audience: string | null;
  apiKeyRevokedAt: number | null;
  apiKeyExpiresAt: number | null;
  /** The key's allow-list as stored (see address-allow-list.ts); null: any address. */
  allowedCidrs: string | null;
}

/** The row as drivers return it: PostgreSQL gives bigints as strings, SQLite as numbers. */
export interface CandidateRow {
  token_hash: string;
  session_id: string;
  generation: number | string;
  created_at: number | string;
  expires_at: number | string;
  consumed_at: number | string | null;
  successor_hash: string | null;
  successor_sealed: string | null;
  api_user_id: string;
  api_key_id: string;
  role: Role;
  user_status: ApiUserStatus;
  session_expires_at: number | string;
  session_revoked_at: number | string | null;
  scope: string | null;
  audience: string | null;
  api_key_revoked_at: number | string | null;
  api_key_expires_at: number | string | null;
  allowed_cidrs: string | null;
}

const toNumber = (value: number | string): number => Number(value);
const toNullableNumber = (value: number | string | null): number | null =>
  value === null ? null : Number(value);

/** Maps a candidate row, from either dialect, to numbers and camelCase. */
export function toExchangeCandidate(row: CandidateRow): ExchangeCandidate {
  return {
    tokenHash: row.token_hash,
    sessionId: row.session_id,
    generation: toNumber(row.generation),
    createdAt: toNumber(row.created_at),
    expiresAt: toNumber(row.expires_at),
    consumedAt: toNullableNumber(row.consumed_at),
    successorHash: row.successor_hash,
    successorSealed: row.successor_sealed,
    apiUserId: row.api_user_id,
    apiKeyId: row.api_key_id,
    role: row.role,
    userStatus: row.user_status,
    sessionExpiresAt: toNumber(row.session_expires_at),
    sessionRevokedAt: toNullableNumber(row.session_revoked_at),
    scope: row.scope,
    audience: row.audience,
    apiKeyRevokedAt: toNullableNumber(row.api_key_revoked_at),
    apiKeyExpiresAt: toNullableNumber(row.api_key_expires_at),
    allowedCidrs: row.allowed_cidrs,
  };
}

/**
 * The query that reads a candidate: the token, its session, the key that opened it and the
 * owner's status, in one round trip. `placeholder` is the dialect's parameter (`?` or `$1`).
 */
export function candidateSql(placeholder: string): string {
  return `
  SELECT rt.token_hash, rt.session_id, rt.generation, rt.created_at, rt.expires_at, rt.consumed_at,
         rt.successor_hash, rt.successor_sealed, s.api_user_id, s.api_key_id, u.role, u.status AS user_status,
         s.expires_at AS session_expires_at, s.revoked_at AS session_revoked_at, s.scope, s.audience,
         k.revoked_at AS api_key_revoked_at, k.expires_at AS api_key_expires_at, k.allowed_cidrs
  FROM refresh_tokens rt
  JOIN sessions s ON s.id = rt.session_id
  JOIN api_keys k ON k.id = s.api_key_id
  JOIN api_users u ON u.id = s.api_user_id
  WHERE rt.token_hash = ${placeholder}`;
}

/** Why a presented token may not be rotated; `consumed` is a replay (retry or reuse). */
export type ExchangeRefusal =
  | 'invalid_refresh_token'
  | 'session_revoked'
  | 'session_expired'
  | 'consumed'
  | 'refresh_token_expired';

/**
 * The contract's checks on a presented token, in its order (rule 7: the first failure
 * answers): null when the token may be rotated at `now` by a request from `clientAddress`.
 * An OAuth client (`onlyForApiKey`) may only use its own key's tokens; any other is unknown
 * to it. A key past its expiry, or a request from outside its allow-list, answers
 * `session_revoked` (the session itself is not revoked: the key may be used again from an
 * allowed address). PostgreSQL's rotation statement states the same conjunction in SQL
 * (postgres-session.statements.ts).
 */
export function refusalOf(
  candidate: ExchangeCandidate | null,
  now: number,
  onlyForApiKey: string | null,
  clientAddress: string | null,
): ExchangeRefusal | null {
  if (!candidate || (onlyForApiKey !== null && candidate.apiKeyId !== onlyForApiKey))
    return 'invalid_refresh_token';
  if (
    candidate.sessionRevokedAt !== null ||
    candidate.apiKeyRevokedAt !== null ||
    (candidate.apiKeyExpiresAt !== null && now >= candidate.apiKeyExpiresAt) ||
    !addressAllowed(candidate.allowedCidrs, clientAddress) ||
    candidate.userStatus !== 'active'
  )
    return 'session_revoked';
  if (now >= candidate.sessionExpiresAt) return 'session_expired';
  if (candidate.consumedAt !== null) return 'consumed';
  if (now >= candidate.expiresAt) return 'refresh_token_expired';
  return null;
}

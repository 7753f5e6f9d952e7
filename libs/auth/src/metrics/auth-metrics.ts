import {
  SESSION_REVOCATION_REASONS,
  type SessionRevocationReason,
} from '../sessions/session.entity';

/**
 * How tokens were issued: `api_key` (an API key's id and secret, at `/token` or OAuth's
 * `client_credentials`), `refresh_token` (a refresh, whatever its wire format, a grace-window
 * retry included), `host` (`TokenService.issueForApiKey`, for a caller the host authenticated).
 */
export const TOKEN_GRANTS = ['api_key', 'refresh_token', 'host'] as const;
export type TokenGrant = (typeof TOKEN_GRANTS)[number];

/**
 * The outcome of a refresh-token exchange, whichever wire format (core, OAuth, profiles) asked
 * for it: `rotated`, `grace_retry` (a retry inside the grace window answered with the same
 * successor), `reused` (a replay: the session is revoked), `expired` (the token or its session),
 * `revoked` (the session, its key or its user), `invalid` (unknown, or another client's).
 * An exchange the database could not answer (503) has no outcome and is not counted.
 */
export const REFRESH_RESULTS = [
  'rotated',
  'grace_retry',
  'reused',
  'expired',
  'revoked',
  'invalid',
] as const;
export type RefreshResult = (typeof REFRESH_RESULTS)[number];

/** Why sessions were revoked: the reasons stored with them. */
export const SESSION_REVOKED_REASONS = SESSION_REVOCATION_REASONS;
export type SessionRevokedReason = SessionRevocationReason;

/**
 * Failed authentications: an API key's credentials (`unknown_api_key`, `wrong_secret`,
 * `api_key_revoked`, `api_user_pending`, `api_user_suspended`), a bearer access token refused
 * (`invalid_access_token`: invalid, expired, or its session no longer live), the wallet-refresh
 * profile's client secret (`invalid_client_secret`) and wallet token (`invalid_wallet_token`).
 */
export const AUTH_FAILURE_REASONS = [
  'unknown_api_key',
  'wrong_secret',
  'api_key_revoked',
  'api_key_expired',
  'address_not_allowed',
  'api_user_pending',
  'api_user_suspended',
  'invalid_access_token',
  'invalid_client_secret',
  'invalid_wallet_token',
] as const;
export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

/**
 * Where the library reports what it decides, for a host's metrics (the standalone server
 * implements it with prom-client). Each method is called once per event, synchronously, from
 * the one place that decides it, with a value from the lists above: an implementation should
 * only increment a counter it made beforehand, never do I/O, and never throw.
 *
 * Pass one as the `metrics` option of `AuthModule.forRoot()` / `forRootAsync()`; without it
 * the library reports to `NO_AUTH_METRICS`, which does nothing.
 */
export interface AuthMetricsSink {
  /** Tokens were handed out (a new session, or a refresh). */
  tokenIssued(grant: TokenGrant): void;
  /** A refresh-token exchange ended so. */
  refresh(result: RefreshResult): void;
  /** `count` live sessions were revoked for `reason`. */
  sessionsRevoked(reason: SessionRevokedReason, count: number): void;
  /** An authentication failed. */
  authFailed(reason: AuthFailureReason): void;
  /**
   * A request was refused with 429: the per-address limit of the token endpoints, or the lock
   * of an API key from an address after too many failed secrets.
   */
  rateLimited(): void;
}

const ignore = (): void => undefined;

/** The default sink: reports nothing. */
export const NO_AUTH_METRICS: AuthMetricsSink = Object.freeze({
  tokenIssued: ignore,
  refresh: ignore,
  sessionsRevoked: ignore,
  authFailed: ignore,
  rateLimited: ignore,
});

/** Injection token of the sink in use (the `metrics` option, or `NO_AUTH_METRICS`). */
export const AUTH_METRICS = Symbol('AUTH_METRICS');

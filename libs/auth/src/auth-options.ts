import { MIN_KEY_ENCRYPTION_SECRET_LENGTH } from './keys/key-encryption';
import { API_KEY_SECRET_PREFIX_PATTERN } from './api-users/api-key-secret';
import { isResourceUri } from './common/resources';
import { SCOPE_NAME_PATTERN } from './common/scopes';
import { type AuthMetricsSink, NO_AUTH_METRICS } from './metrics/auth-metrics';
import {
  DEFAULT_MAX_DELIVERY_AGE_SECONDS,
  DEFAULT_RETRY_SCHEDULE_SECONDS,
} from './security-events/retry-schedule';
import type { SecurityEvent } from './security-events/security-event';
import { isWebhookSecret, type WebhookTarget } from './security-events/webhook-sender';

/** Options of `AuthModule.forRoot()` / `forRootAsync()`. The library never reads environment variables: the host passes everything in. */
export interface AuthModuleOptions {
  /** `iss` of every token. */
  issuer: string;
  /** `aud` of access tokens; defaults to the issuer. */
  audience?: string;
  /**
   * The resources (RFC 8707: absolute URIs) a token request may name in `resource`, which then
   * becomes its access token's `aud` instead of `audience`. Default: `audience` alone. This
   * module's own guard accepts only `audience`; tokens for the others are for their resource
   * servers (which verify them with the JWKS or introspection).
   */
  allowedResources?: string[];
  /** Access-token lifetime, also `expires_in`. Default 300. */
  accessTokenTtlSeconds?: number;
  /** Idle lifetime of a refresh token. Default 30 days. */
  refreshTokenTtlSeconds?: number;
  /** Absolute session lifetime, never renewed by rotation. Default 90 days. */
  sessionMaxAgeSeconds?: number;
  /** Grace window for retries of a just-rotated refresh token. Default 0 (strict). */
  refreshReuseGraceSeconds?: number;
  /**
   * Creates an active admin with this API key at start-up when no admin exists yet. The id is
   * 16 to 128 base64url characters (what the token endpoint accepts), the secret 32 to 256:
   * it is all that guards the admin.
   */
  bootstrapAdmin?: { apiKeyId: string; apiKeySecret: string };
  /**
   * Required, at least 32 characters: private signing keys are stored only sealed
   * (AES-256-GCM) under a key derived from it. Keys stored in clear by an earlier version are
   * sealed at start-up.
   */
  keyEncryptionSecret: string;
  /**
   * The secret used before `keyEncryptionSecret`, while changing it: keys still sealed under it
   * are re-sealed under the new one at start-up. Remove it once every instance has started.
   */
  previousKeyEncryptionSecret?: string;
  /** The active signing key is rotated when older than this many days; 0 turns it off (default 90). */
  signingKeyRotationDays?: number;
  /**
   * How often each instance reloads the signing-key set, in ms (default 1000): the longest a
   * rotation or revocation made by another instance takes to reach this one. Also when the
   * automatic rotation is checked.
   */
  signingKeyReloadIntervalMs?: number;
  /** Register the bearer guard for every route of the host (default true). */
  globalGuard?: boolean;
  /**
   * How long the bearer guard trusts a "session is live" answer, in ms (default 500): the
   * longest a revocation made by another instance takes to reach this one.
   */
  sessionCheckTtlMs?: number;
  /** Requests per client IP per minute on the token endpoints; 0 turns limiting off (default 3000). */
  rateLimitPerMinute?: number;
  /** Failed credential checks allowed per API key id per minute before 429 (default 10). */
  failedAttemptsPerKeyPerMinute?: number;
  /** Seconds between clean-ups of rows that can no longer matter; 0 disables (default 3600). */
  cleanupIntervalSeconds?: number;
  /** Lifetime of the wallet-refresh profile's single-use wallet token (default 86400). */
  walletTokenTtlSeconds?: number;
  /**
   * `aud` of the wallet-refresh profile's wallet tokens (default `<issuer>/wallet`). Must differ from `audience`,
   * so a resource server that checks only `iss` and `aud` never takes a wallet token for an
   * access token.
   */
  walletTokenAudience?: string;
  /** Lifetime of a registration token, in seconds (default 259200, 72 h). */
  registrationTokenTtlSeconds?: number;
  /**
   * Live sessions one API key may hold; opening one more revokes its oldest (reason
   * `session_limit`). 0 turns the cap off (default 1000).
   */
  maxSessionsPerApiKey?: number;
  /** Audit events older than this many days are deleted by the clean-up; 0 keeps them all (default 365). */
  auditRetentionDays?: number;
  /**
   * How long the hot paths wait for the database (a connection, then the answer), in ms
   * (default 5000). Past it the request answers 503, and a refresh whose write had not taken
   * effect by then never takes effect later. The host's own pool settings still apply to the
   * ORM's queries: set its `connectionTimeoutMillis` and `query_timeout` to the same.
   */
  databaseTimeoutMs?: number;
  /**
   * Receives the library's counts (tokens issued, refresh outcomes, sessions revoked, failed
   * authentications, requests refused with 429) for the host's metrics: see AuthMetricsSink.
   * Default: nothing is reported.
   */
  metrics?: AuthMetricsSink;
  /**
   * POST every security event (a replayed refresh token, a revoked session or key, a suspended
   * user, a rotated or revoked signing key) to `url`, signed the Standard Webhooks way with
   * `secret` (`whsec_` and base64 of at least 24 random bytes). Default: no webhook.
   */
  webhook?: WebhookTarget;
  /**
   * Receives the same events, for hosts that deliver them their own way: at least once, in
   * order per session, off the request that caused them. A rejection is retried like a failed
   * webhook delivery (so is the webhook, when both are set).
   */
  onSecurityEvent?: (event: SecurityEvent) => void | Promise<void>;
  /**
   * Whether this instance delivers the outbox's events (default true). Off for a process that
   * only writes (the admin command line): the server's instances deliver its events.
   */
  relaySecurityEvents?: boolean;
  /** Seconds between a failed delivery and the next attempt (default 5, 300, 1800, 7200, 18000, 36000, 36000, each ±20 %). */
  securityEventRetryScheduleSeconds?: number[];
  /** Deliveries of an event stop this long after it happened (default 86400, 24 h). */
  securityEventMaxAgeSeconds?: number;
  /**
   * The scopes API keys may carry and tokens may ask for, by name, with a description (shown
   * in the OpenAPI document). Unset: any name of 1 to 64 characters of `[A-Za-z0-9:._-]`.
   */
  scopes?: Record<string, string>;
  /** The longest an API key may be made to last, in days; 0: no limit (default). */
  apiKeyMaxLifetimeDays?: number;
  /**
   * A prefix for new API key secrets (for example `kr_`): they become the prefix, 43 random
   * characters and a 6-character base62 CRC32 checksum, recognisable by secret scanners.
   * Unset (default): 43 random characters. Existing secrets keep working either way.
   */
  apiKeySecretPrefix?: string;
  /**
   * A Redis that every instance shares (`redis://[:password@]host:port[/db]`, or `rediss://`):
   * per-address rate limits and failed-secret lockouts are then counted across instances. Needs
   * the `ioredis` package. While Redis does not answer, each instance counts alone, and a
   * warning is logged once per outage. Unset (default): per instance.
   */
  redisUrl?: string;
  /** Prefix of this module's Redis keys and channels, to share a Redis with others. Default `auth:`. */
  redisKeyPrefix?: string;
}

/** A bootstrap admin's key id: the ids the token endpoint accepts. */
export const BOOTSTRAP_KEY_ID_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;
/** A bootstrap admin's secret: real entropy, as the secrets the server generates. */
export const BOOTSTRAP_KEY_SECRET_PATTERN = /^[A-Za-z0-9_-]{32,256}$/;

/** Options with every default applied: what services inject. */
type OptionalAfterResolving =
  | 'bootstrapAdmin'
  | 'previousKeyEncryptionSecret'
  | 'webhook'
  | 'onSecurityEvent'
  | 'apiKeySecretPrefix'
  | 'redisUrl';
export type ResolvedAuthOptions = Required<Omit<AuthModuleOptions, OptionalAfterResolving>> &
  Pick<AuthModuleOptions, OptionalAfterResolving>;

const DAY = 86_400;

export function resolveAuthOptions(options: AuthModuleOptions): ResolvedAuthOptions {
  const resolved: ResolvedAuthOptions = {
    issuer: options.issuer,
    audience: options.audience ?? options.issuer,
    allowedResources: options.allowedResources ?? [options.audience ?? options.issuer],
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 300,
    refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? 30 * DAY,
    sessionMaxAgeSeconds: options.sessionMaxAgeSeconds ?? 90 * DAY,
    refreshReuseGraceSeconds: options.refreshReuseGraceSeconds ?? 0,
    bootstrapAdmin: options.bootstrapAdmin,
    keyEncryptionSecret: options.keyEncryptionSecret,
    previousKeyEncryptionSecret: options.previousKeyEncryptionSecret || undefined,
    signingKeyRotationDays: options.signingKeyRotationDays ?? 90,
    signingKeyReloadIntervalMs: options.signingKeyReloadIntervalMs ?? 1000,
    globalGuard: options.globalGuard ?? true,
    sessionCheckTtlMs: options.sessionCheckTtlMs ?? 500,
    rateLimitPerMinute: options.rateLimitPerMinute ?? 3000,
    failedAttemptsPerKeyPerMinute: options.failedAttemptsPerKeyPerMinute ?? 10,
    cleanupIntervalSeconds: options.cleanupIntervalSeconds ?? 3600,
    walletTokenTtlSeconds: options.walletTokenTtlSeconds ?? 86_400,
    walletTokenAudience:
      options.walletTokenAudience ?? `${options.issuer?.replace(/\/+$/, '')}/wallet`,
    registrationTokenTtlSeconds: options.registrationTokenTtlSeconds ?? 3 * DAY,
    maxSessionsPerApiKey: options.maxSessionsPerApiKey ?? 1000,
    auditRetentionDays: options.auditRetentionDays ?? 365,
    databaseTimeoutMs: options.databaseTimeoutMs ?? 5000,
    metrics: options.metrics ?? NO_AUTH_METRICS,
    webhook: options.webhook,
    onSecurityEvent: options.onSecurityEvent,
    relaySecurityEvents: options.relaySecurityEvents ?? true,
    securityEventRetryScheduleSeconds:
      options.securityEventRetryScheduleSeconds ?? DEFAULT_RETRY_SCHEDULE_SECONDS,
    securityEventMaxAgeSeconds:
      options.securityEventMaxAgeSeconds ?? DEFAULT_MAX_DELIVERY_AGE_SECONDS,
    scopes: options.scopes ?? {},
    apiKeyMaxLifetimeDays: options.apiKeyMaxLifetimeDays ?? 0,
    apiKeySecretPrefix: options.apiKeySecretPrefix || undefined,
    redisUrl: options.redisUrl || undefined,
    redisKeyPrefix: options.redisKeyPrefix ?? 'auth:',
  };
  validate(resolved);
  return resolved;
}

function validate(options: ResolvedAuthOptions): void {
  const problems: string[] = [];
  if (typeof options.issuer !== 'string' || options.issuer.length === 0) {
    problems.push('issuer must be a non-empty string');
  }
  for (const name of [
    'accessTokenTtlSeconds',
    'refreshTokenTtlSeconds',
    'sessionMaxAgeSeconds',
    'walletTokenTtlSeconds',
    'registrationTokenTtlSeconds',
  ] as const) {
    if (!Number.isInteger(options[name]) || options[name] <= 0) {
      problems.push(`${name} must be a positive integer`);
    }
  }
  if (options.bootstrapAdmin !== undefined) {
    const { apiKeyId, apiKeySecret } = options.bootstrapAdmin;
    // An id the token endpoint refuses would make an admin no one can log in as.
    if (typeof apiKeyId !== 'string' || !BOOTSTRAP_KEY_ID_PATTERN.test(apiKeyId))
      problems.push('bootstrapAdmin.apiKeyId must be 16 to 128 base64url characters');
    if (typeof apiKeySecret !== 'string' || !BOOTSTRAP_KEY_SECRET_PATTERN.test(apiKeySecret))
      problems.push('bootstrapAdmin.apiKeySecret must be 32 to 256 base64url characters');
  }
  if (
    typeof options.keyEncryptionSecret !== 'string' ||
    options.keyEncryptionSecret.length < MIN_KEY_ENCRYPTION_SECRET_LENGTH
  ) {
    problems.push(
      `keyEncryptionSecret is required and must be at least ${MIN_KEY_ENCRYPTION_SECRET_LENGTH} characters`,
    );
  }
  if (
    options.previousKeyEncryptionSecret !== undefined &&
    (typeof options.previousKeyEncryptionSecret !== 'string' ||
      options.previousKeyEncryptionSecret.length < MIN_KEY_ENCRYPTION_SECRET_LENGTH)
  ) {
    problems.push(
      `previousKeyEncryptionSecret must be at least ${MIN_KEY_ENCRYPTION_SECRET_LENGTH} characters`,
    );
  }
  if (
    !Number.isInteger(options.signingKeyReloadIntervalMs) ||
    options.signingKeyReloadIntervalMs < 1
  ) {
    problems.push('signingKeyReloadIntervalMs must be a positive integer');
  }
  for (const name of Object.keys(options.scopes ?? {})) {
    if (!SCOPE_NAME_PATTERN.test(name))
      problems.push(
        `scopes: "${name.slice(0, 80)}" is not a scope name (1 to 64 of A-Z a-z 0-9 : . _ -)`,
      );
  }
  problems.push(...allowedResourceProblems(options));
  if (options.redisUrl !== undefined && !/^rediss?:\/\/[^\s]+$/.test(options.redisUrl)) {
    problems.push('redisUrl must be a redis:// or rediss:// URL');
  }
  if (
    options.apiKeySecretPrefix !== undefined &&
    !API_KEY_SECRET_PREFIX_PATTERN.test(options.apiKeySecretPrefix)
  ) {
    problems.push('apiKeySecretPrefix must be 1 to 16 letters, digits or _');
  }
  if (!Number.isInteger(options.databaseTimeoutMs) || options.databaseTimeoutMs < 1) {
    problems.push('databaseTimeoutMs must be a positive integer');
  }
  for (const name of [
    'signingKeyRotationDays',
    'refreshReuseGraceSeconds',
    'sessionCheckTtlMs',
    'rateLimitPerMinute',
    'failedAttemptsPerKeyPerMinute',
    'cleanupIntervalSeconds',
    'maxSessionsPerApiKey',
    'auditRetentionDays',
    'apiKeyMaxLifetimeDays',
  ] as const) {
    if (!Number.isInteger(options[name]) || options[name] < 0) {
      problems.push(`${name} must be a non-negative integer`);
    }
  }
  const sinkMethods = ['tokenIssued', 'refresh', 'sessionsRevoked', 'authFailed', 'rateLimited'];
  const sink = options.metrics as unknown as Record<string, unknown> | null;
  const missing = sinkMethods.filter((name) => typeof sink?.[name] !== 'function');
  if (missing.length > 0) {
    problems.push(`metrics must implement AuthMetricsSink (missing: ${missing.join(', ')})`);
  }
  if (typeof options.walletTokenAudience !== 'string' || options.walletTokenAudience === '') {
    problems.push('walletTokenAudience must be a non-empty string');
  } else if (options.walletTokenAudience === options.audience) {
    problems.push('walletTokenAudience must differ from audience');
  }
  problems.push(...securityEventProblems(options));
  if (problems.length > 0) {
    throw new Error(`Invalid AuthModule options: ${problems.join('; ')}`);
  }
}

function allowedResourceProblems(options: ResolvedAuthOptions): string[] {
  const resources: unknown = options.allowedResources;
  if (!Array.isArray(resources) || resources.length === 0)
    return ['allowedResources must be a non-empty array of absolute URIs'];
  return resources
    .filter(
      (resource: unknown) =>
        typeof resource !== 'string' || (resource !== options.audience && !isResourceUri(resource)),
    )
    .map(
      (resource: unknown) =>
        `allowedResources: ${JSON.stringify(resource)?.slice(0, 80)} is not an absolute URI without a fragment (RFC 8707)`,
    );
}

function securityEventProblems(options: ResolvedAuthOptions): string[] {
  const problems: string[] = [];
  const { webhook } = options;
  if (webhook !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(webhook.url);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      problems.push('webhook.url must be an http(s) URL');
    }
    // Never echo the secret: only what is wrong with it.
    if (typeof webhook.secret !== 'string' || !isWebhookSecret(webhook.secret)) {
      problems.push('webhook.secret must be whsec_ and base64 of at least 24 bytes');
    }
  }
  if (options.onSecurityEvent !== undefined && typeof options.onSecurityEvent !== 'function') {
    problems.push('onSecurityEvent must be a function');
  }
  const schedule = options.securityEventRetryScheduleSeconds;
  if (
    !Array.isArray(schedule) ||
    schedule.length === 0 ||
    schedule.some((delay) => typeof delay !== 'number' || !(delay > 0))
  ) {
    problems.push('securityEventRetryScheduleSeconds must be a list of positive numbers');
  }
  if (!(options.securityEventMaxAgeSeconds > 0)) {
    problems.push('securityEventMaxAgeSeconds must be positive');
  }
  return problems;
}

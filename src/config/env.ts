import { canonicalCidr } from '../../libs/auth/src/api-users/address-allow-list';
import { API_KEY_SECRET_PREFIX_PATTERN } from '../../libs/auth/src/api-users/api-key-secret';
import { isResourceUri } from '../../libs/auth/src/common/resources';
import { SCOPE_NAME_PATTERN } from '../../libs/auth/src/common/scopes';
import { isWebhookSecret } from '../../libs/auth/src/security-events/webhook-sender';
import {
  BOOTSTRAP_KEY_ID_PATTERN,
  BOOTSTRAP_KEY_SECRET_PATTERN,
} from '../../libs/auth/src/auth-options';
import { MIN_KEY_ENCRYPTION_SECRET_LENGTH } from '../../libs/auth/src/keys/key-encryption';
import {
  LEGACY_PROFILE_NAMES,
  PROFILE_NAMES,
  type ProfileName,
} from '../../libs/auth/src/profiles/profile-names';

/**
 * Reads and validates the environment variables of the contract. Any bad value stops the
 * server with a message naming the variable; nothing else in the code reads process.env.
 */
export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

export interface DatabaseConfig {
  /** `postgres` when DATABASE_URL is set, otherwise the embedded SQLite file. */
  type: 'sqlite' | 'postgres';
  url?: string;
  path: string;
  logging: boolean;
  /** DATABASE_TIMEOUT_MS: how long any database call may take before the request answers 503. */
  timeoutMs: number;
}

export interface AppConfig {
  port: number;
  host: string;
  database: DatabaseConfig;
  issuer: string;
  audience: string;
  /** ALLOWED_RESOURCES: what a token request's `resource` may name (RFC 8707); default the audience. */
  allowedResources: string[];
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  sessionMaxAgeSeconds: number;
  refreshReuseGraceSeconds: number;
  rateLimitPerMinute: number;
  walletTokenTtlSeconds: number;
  walletTokenAudience: string;
  registrationTokenTtlSeconds: number;
  /** Serve Swagger UI at /docs and the document at /docs-json. */
  docsEnabled: boolean;
  /**
   * Which proxies may tell the client's address in X-Forwarded-For: none (`false`, the socket's
   * address is the client), all (`true`), the nearest N hops, or these addresses and CIDRs.
   */
  trustProxy: TrustProxy;
  maxSessionsPerApiKey: number;
  /** API_SCOPES: the scopes keys may carry (no description; the library's `scopes`); empty: any. */
  apiScopes: string[];
  /** API_KEY_MAX_LIFETIME_DAYS: the furthest `expires_at` a new key may have; 0: no limit. */
  apiKeyMaxLifetimeDays: number;
  /** API_KEY_SECRET_PREFIX: new secrets are `<prefix><random><checksum>`; unset, plain. */
  apiKeySecretPrefix: string | undefined;
  auditRetentionDays: number;
  /** REDIS_URL: the Redis instances share limits through; unset, each counts alone. */
  redisUrl: string | undefined;
  bootstrapAdmin?: { apiKeyId: string; apiKeySecret: string };
  /**
   * Seals private signing keys. Required on PostgreSQL; unset on SQLite, the server keeps a
   * generated one in `key-encryption.secret` beside the database (key-encryption-secret.ts).
   */
  keyEncryptionSecret?: string;
  /** The secret being replaced: keys still sealed under it are re-sealed at start. */
  previousKeyEncryptionSecret?: string;
  /** Days after which the active signing key is rotated; 0 turns it off. */
  signingKeyRotationDays: number;
  /** Wire-format profiles to mount. */
  profiles: ProfileName[];
  /** On SIGTERM: how long requests in flight may take to finish before their connections are cut. */
  shutdownTimeoutMs: number;
  /**
   * On SIGTERM: how long the server goes on accepting connections while /health/ready already
   * answers 503, so that a load balancer polling it stops sending before the listener closes.
   */
  shutdownDelayMs: number;
  /**
   * Prometheus metrics: off (`enabled: false`), at `GET /metrics` on the main port, or, with a
   * `port`, only on that port (its own small HTTP server, on the same HOST).
   */
  metrics: { enabled: boolean; port?: number };
  /** Log lines on stdout: JSON (or `pretty` for people) at `level`; `silent` logs nothing. */
  logging: LoggingConfig;
  /** Security events POSTed to WEBHOOK_URL, signed with WEBHOOK_SECRET; off when unset. */
  webhook?: { url: string; secret: string };
  /** WEBHOOK_RETRY_SCHEDULE: seconds between attempts (default: the library's schedule). */
  webhookRetryScheduleSeconds?: number[];
}

export const LOG_FORMATS = ['json', 'pretty'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export interface LoggingConfig {
  format: (typeof LOG_FORMATS)[number];
  level: (typeof LOG_LEVELS)[number];
}

function readProfiles(env: Env): ProfileName[] {
  const raw = env.PROFILES?.trim();
  if (!raw || raw === 'all') return [...PROFILE_NAMES];
  if (raw === 'none') return [];
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .map((name) => (Object.hasOwn(LEGACY_PROFILE_NAMES, name) ? LEGACY_PROFILE_NAMES[name] : name));
  const unknown = names.filter((name) => !PROFILE_NAMES.includes(name as ProfileName));
  if (unknown.length > 0) {
    throw new ConfigError(
      'PROFILES',
      `must be all, none or a comma list of ${PROFILE_NAMES.join(', ')} (or their former names ${Object.keys(LEGACY_PROFILE_NAMES).join(', ')}); unknown: ${unknown.join(', ')}`,
    );
  }
  return [...new Set(names)] as ProfileName[];
}

export type TrustProxy = boolean | number | string[];

/** An IPv4 or IPv6 address, optionally with a /prefix that fits its family. */
function readTrustProxy(env: Env): TrustProxy {
  const raw = env.TRUST_PROXY?.trim();
  if (!raw || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return readInt(env, 'TRUST_PROXY', 0, 0, 100);
  const entries = raw.split(',').map((entry) => entry.trim());
  const bad = entries.filter((entry) => canonicalCidr(entry) === null);
  if (bad.length > 0) {
    throw new ConfigError(
      'TRUST_PROXY',
      `must be false, true, a hop count or a comma list of IP addresses and CIDRs; not: ${bad.join(', ')}`,
    );
  }
  return entries;
}

function readInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) {
    throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  }
  const value = Number(raw.trim());
  if (value < min || value > max) {
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

function readUrl(
  env: Env,
  name: string,
  fallback: string | undefined,
  protocols: string[],
): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be an absolute URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}`);
  }
  return raw;
}

function readBootstrapAdmin(env: Env): AppConfig['bootstrapAdmin'] {
  const apiKeyId = env.BOOTSTRAP_ADMIN_KEY_ID?.trim();
  const apiKeySecret = env.BOOTSTRAP_ADMIN_KEY_SECRET?.trim();
  if (!apiKeyId && !apiKeySecret) return undefined;
  if (!apiKeyId)
    throw new ConfigError('BOOTSTRAP_ADMIN_KEY_ID', 'must be set with BOOTSTRAP_ADMIN_KEY_SECRET');
  if (!apiKeySecret)
    throw new ConfigError('BOOTSTRAP_ADMIN_KEY_SECRET', 'must be set with BOOTSTRAP_ADMIN_KEY_ID');
  if (!BOOTSTRAP_KEY_ID_PATTERN.test(apiKeyId)) {
    throw new ConfigError('BOOTSTRAP_ADMIN_KEY_ID', 'must be 16 to 128 base64url characters');
  }
  // The secret is the only thing guarding the admin: insist on real entropy.
  if (!BOOTSTRAP_KEY_SECRET_PATTERN.test(apiKeySecret)) {
    throw new ConfigError('BOOTSTRAP_ADMIN_KEY_SECRET', 'must be 32 to 256 base64url characters');
  }
  return { apiKeyId, apiKeySecret };
}

function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, `must be true or false, got "${env[name]}"`);
}

/** A key-encryption secret: unset, or at least 32 characters. */
function readSecret(env: Env, name: string): string | undefined {
  const value = env[name]?.trim() || undefined;
  if (value !== undefined && value.length < MIN_KEY_ENCRYPTION_SECRET_LENGTH) {
    throw new ConfigError(name, `must be at least ${MIN_KEY_ENCRYPTION_SECRET_LENGTH} characters`);
  }
  return value;
}

export function loadDatabaseConfig(env: Env): DatabaseConfig {
  const url = readUrl(env, 'DATABASE_URL', undefined, ['postgres:', 'postgresql:']);
  const path = env.DATABASE_PATH?.trim() || './data/auth.sqlite';
  return {
    type: url ? 'postgres' : 'sqlite',
    url,
    path,
    logging: env.DATABASE_LOGGING === 'true',
    timeoutMs: readInt(env, 'DATABASE_TIMEOUT_MS', 5000, 100, 600_000),
  };
}

export function loadConfig(env: Env): AppConfig {
  const issuer = readUrl(env, 'ISSUER_URL', 'http://localhost:3000', ['http:', 'https:']) as string;
  const audience = env.JWT_AUDIENCE?.trim() || issuer;
  const database = loadDatabaseConfig(env);
  const walletTokenAudience =
    env.WALLET_TOKEN_AUDIENCE?.trim() || `${issuer.replace(/\/+$/, '')}/wallet`;
  if (walletTokenAudience === audience) {
    throw new ConfigError(
      'WALLET_TOKEN_AUDIENCE',
      "must differ from JWT_AUDIENCE (the access tokens' audience)",
    );
  }
  const keyEncryptionSecret = readSecret(env, 'KEY_ENCRYPTION_SECRET');
  if (keyEncryptionSecret === undefined && database.type === 'postgres') {
    // Instances sharing a database must share the secret: none can be generated for them.
    throw new ConfigError(
      'KEY_ENCRYPTION_SECRET',
      'is required with DATABASE_URL (PostgreSQL): at least 32 characters that seal the signing keys',
    );
  }
  const day = 86_400;
  return {
    port: readInt(env, 'PORT', 3000, 0, 65_535),
    host: env.HOST?.trim() || '0.0.0.0',
    database,
    issuer,
    audience,
    allowedResources: readAllowedResources(env, audience),
    accessTokenTtlSeconds: readInt(env, 'ACCESS_TOKEN_TTL_SECONDS', 300, 1, 7 * day),
    refreshTokenTtlSeconds: readInt(env, 'REFRESH_TOKEN_TTL_SECONDS', 30 * day, 1, 3650 * day),
    sessionMaxAgeSeconds: readInt(env, 'SESSION_MAX_AGE_SECONDS', 90 * day, 1, 3650 * day),
    refreshReuseGraceSeconds: readInt(env, 'REFRESH_REUSE_GRACE_SECONDS', 0, 0, 300),
    rateLimitPerMinute: readInt(env, 'RATE_LIMIT_PER_MINUTE', 3000, 0, 10_000_000),
    walletTokenTtlSeconds: readInt(env, 'WALLET_TOKEN_TTL_SECONDS', day, 1, 30 * day),
    walletTokenAudience,
    registrationTokenTtlSeconds: readInt(
      env,
      'REGISTRATION_TOKEN_TTL_SECONDS',
      3 * day,
      1,
      365 * day,
    ),
    docsEnabled: readBoolean(env, 'DOCS_ENABLED', true),
    trustProxy: readTrustProxy(env),
    maxSessionsPerApiKey: readInt(env, 'MAX_SESSIONS_PER_API_KEY', 1000, 0, 1_000_000),
    apiScopes: readScopes(env),
    apiKeyMaxLifetimeDays: readInt(env, 'API_KEY_MAX_LIFETIME_DAYS', 0, 0, 36_500),
    apiKeySecretPrefix: readSecretPrefix(env),
    auditRetentionDays: readInt(env, 'AUDIT_RETENTION_DAYS', 365, 0, 36_500),
    redisUrl: readUrl(env, 'REDIS_URL', undefined, ['redis:', 'rediss:']),
    bootstrapAdmin: readBootstrapAdmin(env),
    keyEncryptionSecret,
    previousKeyEncryptionSecret: readSecret(env, 'KEY_ENCRYPTION_SECRET_PREVIOUS'),
    signingKeyRotationDays: readInt(env, 'SIGNING_KEY_ROTATION_DAYS', 90, 0, 3650),
    profiles: readProfiles(env),
    shutdownTimeoutMs: readInt(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    shutdownDelayMs: readInt(env, 'SHUTDOWN_DELAY_MS', 0, 0, 600_000),
    metrics: readMetrics(env),
    logging: {
      format: readChoice(env, 'LOG_FORMAT', LOG_FORMATS, 'json'),
      level: readChoice(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    },
    webhook: readWebhook(env),
    webhookRetryScheduleSeconds: readRetrySchedule(env),
  };
}

/** API_SCOPES: a comma list of scope names (1 to 64 of `A-Z a-z 0-9 : . _ -` each). */
function readScopes(env: Env): string[] {
  const raw = env.API_SCOPES?.trim();
  if (!raw) return [];
  const names = raw.split(',').map((name) => name.trim());
  const bad = names.find((name) => !SCOPE_NAME_PATTERN.test(name));
  if (bad !== undefined)
    throw new ConfigError(
      'API_SCOPES',
      `must be a comma list of scope names (1 to 64 of A-Z a-z 0-9 : . _ -); "${bad.slice(0, 80)}" is not one`,
    );
  return [...new Set(names)];
}

/** ALLOWED_RESOURCES: a comma list of absolute URIs without fragments; unset, the audience alone. */
function readAllowedResources(env: Env, audience: string): string[] {
  const raw = env.ALLOWED_RESOURCES?.trim();
  if (!raw) return [audience];
  const resources = raw.split(',').map((resource) => resource.trim());
  const bad = resources.find((resource) => resource !== audience && !isResourceUri(resource));
  if (bad !== undefined)
    throw new ConfigError(
      'ALLOWED_RESOURCES',
      `must be a comma list of absolute URIs without a fragment (RFC 8707); "${bad.slice(0, 80)}" is not one`,
    );
  return [...new Set(resources)];
}

function readSecretPrefix(env: Env): string | undefined {
  const raw = env.API_KEY_SECRET_PREFIX?.trim();
  if (!raw) return undefined;
  if (!API_KEY_SECRET_PREFIX_PATTERN.test(raw))
    throw new ConfigError('API_KEY_SECRET_PREFIX', 'must be 1 to 16 letters, digits or _');
  return raw;
}

function readWebhook(env: Env): AppConfig['webhook'] {
  const url = env.WEBHOOK_URL?.trim();
  const secret = env.WEBHOOK_SECRET?.trim();
  if (!url) {
    if (secret) throw new ConfigError('WEBHOOK_SECRET', 'is set but WEBHOOK_URL is not');
    return undefined;
  }
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    throw new ConfigError('WEBHOOK_URL', 'must be an http(s) URL');
  }
  // The message never quotes the secret.
  if (!secret || !isWebhookSecret(secret)) {
    throw new ConfigError(
      'WEBHOOK_SECRET',
      'must be set with WEBHOOK_URL: whsec_ and base64 of at least 24 random bytes (`echo whsec_$(openssl rand -base64 32)`)',
    );
  }
  return { url, secret };
}

function readRetrySchedule(env: Env): number[] | undefined {
  const raw = env.WEBHOOK_RETRY_SCHEDULE?.trim();
  if (!raw) return undefined;
  const delays = raw.split(',').map((part) => Number(part.trim()));
  if (delays.some((delay) => !Number.isFinite(delay) || delay <= 0 || delay > 86_400)) {
    throw new ConfigError(
      'WEBHOOK_RETRY_SCHEDULE',
      'must be a comma list of seconds between attempts (each above 0, at most 86400)',
    );
  }
  return delays;
}

function readChoice<T extends string>(
  env: Env,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (!choices.includes(raw as T)) {
    throw new ConfigError(name, `must be one of ${choices.join(', ')}`);
  }
  return raw as T;
}

function readMetrics(env: Env): AppConfig['metrics'] {
  const enabled = readBoolean(env, 'METRICS_ENABLED', true);
  const set = (env.METRICS_PORT ?? '').trim() !== '';
  // 0 asks the system for a free port (tests); the address is then MetricsServer.port.
  const port = set ? readInt(env, 'METRICS_PORT', 0, 0, 65_535) : undefined;
  if (port !== undefined && port !== 0 && port === readInt(env, 'PORT', 3000, 0, 65_535)) {
    throw new ConfigError('METRICS_PORT', `must differ from PORT (${port})`);
  }
  return enabled ? { enabled, port } : { enabled };
}

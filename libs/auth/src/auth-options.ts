/** Options of `AuthModule.forRoot()` / `forRootAsync()`. The library never reads environment variables: the host passes everything in. */
export interface AuthModuleOptions {
  /** `iss` of every token. */
  issuer: string;
  /** `aud` of access tokens; defaults to the issuer. */
  audience?: string;
  /** Access-token lifetime, also `expires_in`. Default 300. */
  accessTokenTtlSeconds?: number;
  /** Idle lifetime of a refresh token. Default 30 days. */
  refreshTokenTtlSeconds?: number;
  /** Absolute session lifetime, never renewed by rotation. Default 90 days. */
  sessionMaxAgeSeconds?: number;
  /** Grace window for retries of a just-rotated refresh token. Default 0 (strict). */
  refreshReuseGraceSeconds?: number;
  /** Creates an active admin with this API key at start-up when no admin exists yet. */
  bootstrapAdmin?: { apiKeyId: string; apiKeySecret: string };
  /** When set, signing keys are stored encrypted (AES-256-GCM) with a key derived from it. */
  keyEncryptionSecret?: string;
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
  /** Lifetime of seed 004's single-use wallet token (default 86400). */
  walletTokenTtlSeconds?: number;
  /**
   * Live sessions one API key may hold; opening one more revokes its oldest (reason
   * `session_limit`). 0 turns the cap off (default 1000).
   */
  maxSessionsPerApiKey?: number;
  /** Audit events older than this many days are deleted by the clean-up; 0 keeps them all (default 365). */
  auditRetentionDays?: number;
}

/** Options with every default applied: what services inject. */
export type ResolvedAuthOptions = Required<
  Omit<AuthModuleOptions, 'bootstrapAdmin' | 'keyEncryptionSecret'>
> &
  Pick<AuthModuleOptions, 'bootstrapAdmin' | 'keyEncryptionSecret'>;

const DAY = 86_400;

export function resolveAuthOptions(options: AuthModuleOptions): ResolvedAuthOptions {
  const resolved: ResolvedAuthOptions = {
    issuer: options.issuer,
    audience: options.audience ?? options.issuer,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 300,
    refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? 30 * DAY,
    sessionMaxAgeSeconds: options.sessionMaxAgeSeconds ?? 90 * DAY,
    refreshReuseGraceSeconds: options.refreshReuseGraceSeconds ?? 0,
    bootstrapAdmin: options.bootstrapAdmin,
    keyEncryptionSecret: options.keyEncryptionSecret,
    globalGuard: options.globalGuard ?? true,
    sessionCheckTtlMs: options.sessionCheckTtlMs ?? 500,
    rateLimitPerMinute: options.rateLimitPerMinute ?? 3000,
    failedAttemptsPerKeyPerMinute: options.failedAttemptsPerKeyPerMinute ?? 10,
    cleanupIntervalSeconds: options.cleanupIntervalSeconds ?? 3600,
    walletTokenTtlSeconds: options.walletTokenTtlSeconds ?? 86_400,
    maxSessionsPerApiKey: options.maxSessionsPerApiKey ?? 1000,
    auditRetentionDays: options.auditRetentionDays ?? 365,
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
  ] as const) {
    if (!Number.isInteger(options[name]) || options[name] <= 0) {
      problems.push(`${name} must be a positive integer`);
    }
  }
  for (const name of [
    'refreshReuseGraceSeconds',
    'sessionCheckTtlMs',
    'rateLimitPerMinute',
    'failedAttemptsPerKeyPerMinute',
    'cleanupIntervalSeconds',
    'maxSessionsPerApiKey',
    'auditRetentionDays',
  ] as const) {
    if (!Number.isInteger(options[name]) || options[name] < 0) {
      problems.push(`${name} must be a non-negative integer`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`Invalid AuthModule options: ${problems.join('; ')}`);
  }
}

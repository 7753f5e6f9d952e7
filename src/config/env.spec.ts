import { ConfigError, loadConfig } from './env';

describe('loadConfig', () => {
  it("reads PROFILES by the profiles' names, and by their former seed names", () => {
    expect(loadConfig({ PROFILES: 'wallet-refresh, login-refresh-token' }).profiles).toEqual([
      'wallet-refresh',
      'login-refresh-token',
    ]);
    expect(loadConfig({ PROFILES: 'seed-002,seed-004,wallet-refresh' }).profiles).toEqual([
      'authenticate-refresh',
      'wallet-refresh',
    ]);
    expect(() => loadConfig({ PROFILES: 'seed-005' })).toThrow(/PROFILES.*unknown: seed-005/);
    expect(() => loadConfig({ PROFILES: 'constructor' })).toThrow(/unknown: constructor/);
  });

  it('applies the contract defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      database: { type: 'sqlite', path: './data/auth.sqlite' },
      issuer: 'http://localhost:3000',
      audience: 'http://localhost:3000',
      allowedResources: ['http://localhost:3000'],
      accessTokenTtlSeconds: 300,
      refreshTokenTtlSeconds: 2_592_000,
      sessionMaxAgeSeconds: 7_776_000,
      refreshReuseGraceSeconds: 0,
      rateLimitPerMinute: 3000,
      walletTokenTtlSeconds: 86_400,
      walletTokenAudience: 'http://localhost:3000/wallet',
      registrationTokenTtlSeconds: 259_200,
      docsEnabled: true,
      trustProxy: false,
      maxSessionsPerApiKey: 1000,
      apiScopes: [],
      apiKeyMaxLifetimeDays: 0,
      apiKeySecretPrefix: undefined,
      auditRetentionDays: 365,
      redisUrl: undefined,
      shutdownTimeoutMs: 10_000,
      shutdownDelayMs: 0,
      metrics: { enabled: true, port: undefined },
    });
    expect(config.bootstrapAdmin).toBeUndefined();
    expect(config.signingKeyRotationDays).toBe(90);
    // Unset on the embedded database: the server keeps a generated one beside the database.
    expect(config.keyEncryptionSecret).toBeUndefined();
    expect(config.previousKeyEncryptionSecret).toBeUndefined();
  });

  it('reads ALLOWED_RESOURCES, where the audience needs no URI form', () => {
    expect(
      loadConfig({
        JWT_AUDIENCE: 'reports-api',
        ALLOWED_RESOURCES: ' https://a.example.com/api , reports-api,urn:example:billing ',
      }).allowedResources,
    ).toEqual(['https://a.example.com/api', 'reports-api', 'urn:example:billing']);
  });

  it('reads the key-encryption secrets and the signing-key rotation period', () => {
    const config = loadConfig({
      KEY_ENCRYPTION_SECRET: 'k'.repeat(32),
      KEY_ENCRYPTION_SECRET_PREVIOUS: 'p'.repeat(40),
      SIGNING_KEY_ROTATION_DAYS: '0',
    });
    expect(config.keyEncryptionSecret).toBe('k'.repeat(32));
    expect(config.previousKeyEncryptionSecret).toBe('p'.repeat(40));
    expect(config.signingKeyRotationDays).toBe(0);
  });

  it('refuses PostgreSQL without KEY_ENCRYPTION_SECRET, naming it', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/auth' })).toThrow(
      /^Invalid configuration: KEY_ENCRYPTION_SECRET is required with DATABASE_URL/,
    );
  });

  it('reads WALLET_TOKEN_AUDIENCE, REGISTRATION_TOKEN_TTL_SECONDS and DOCS_ENABLED', () => {
    expect(
      loadConfig({
        ISSUER_URL: 'https://auth.example/',
        WALLET_TOKEN_AUDIENCE: 'urn:wallet',
        REGISTRATION_TOKEN_TTL_SECONDS: '3600',
        DOCS_ENABLED: 'false',
      }),
    ).toMatchObject({
      walletTokenAudience: 'urn:wallet',
      registrationTokenTtlSeconds: 3600,
      docsEnabled: false,
    });
    // The default follows the issuer, without a doubled slash.
    expect(loadConfig({ ISSUER_URL: 'https://auth.example/' }).walletTokenAudience).toBe(
      'https://auth.example/wallet',
    );
    expect(loadConfig({ DOCS_ENABLED: 'true' }).docsEnabled).toBe(true);
  });

  it('selects PostgreSQL when DATABASE_URL is set, and never derives the issuer from PORT', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u:p@db:5432/auth',
      KEY_ENCRYPTION_SECRET: 'k'.repeat(32),
      PORT: '8080',
      JWT_AUDIENCE: 'api',
    });
    expect(config.database).toMatchObject({ type: 'postgres', url: 'postgres://u:p@db:5432/auth' });
    expect(config.issuer).toBe('http://localhost:3000');
    expect(config.audience).toBe('api');
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ ACCESS_TOKEN_TTL_SECONDS: '0' }, 'ACCESS_TOKEN_TTL_SECONDS'],
    [{ REFRESH_TOKEN_TTL_SECONDS: '-5' }, 'REFRESH_TOKEN_TTL_SECONDS'],
    [{ SESSION_MAX_AGE_SECONDS: '1.5' }, 'SESSION_MAX_AGE_SECONDS'],
    [{ REFRESH_REUSE_GRACE_SECONDS: 'abc' }, 'REFRESH_REUSE_GRACE_SECONDS'],
    [{ RATE_LIMIT_PER_MINUTE: '-1' }, 'RATE_LIMIT_PER_MINUTE'],
    [{ WALLET_TOKEN_TTL_SECONDS: 'x' }, 'WALLET_TOKEN_TTL_SECONDS'],
    [{ JWT_AUDIENCE: 'api', WALLET_TOKEN_AUDIENCE: 'api' }, 'WALLET_TOKEN_AUDIENCE'],
    [{ JWT_AUDIENCE: 'http://localhost:3000/wallet' }, 'WALLET_TOKEN_AUDIENCE'],
    [{ REGISTRATION_TOKEN_TTL_SECONDS: '0' }, 'REGISTRATION_TOKEN_TTL_SECONDS'],
    [{ REGISTRATION_TOKEN_TTL_SECONDS: 'soon' }, 'REGISTRATION_TOKEN_TTL_SECONDS'],
    [{ DOCS_ENABLED: 'maybe' }, 'DOCS_ENABLED'],
    [{ ISSUER_URL: 'not a url' }, 'ISSUER_URL'],
    [{ ISSUER_URL: 'ftp://issuer' }, 'ISSUER_URL'],
    [{ DATABASE_URL: 'mysql://db/auth' }, 'DATABASE_URL'],
    [{ BOOTSTRAP_ADMIN_KEY_ID: 'bootstrap-admin-key-0001' }, 'BOOTSTRAP_ADMIN_KEY_SECRET'],
    [{ BOOTSTRAP_ADMIN_KEY_SECRET: 'x'.repeat(40) }, 'BOOTSTRAP_ADMIN_KEY_ID'],
    [
      { BOOTSTRAP_ADMIN_KEY_ID: 'short', BOOTSTRAP_ADMIN_KEY_SECRET: 'x'.repeat(40) },
      'BOOTSTRAP_ADMIN_KEY_ID',
    ],
    [
      { BOOTSTRAP_ADMIN_KEY_ID: 'bootstrap-admin-key-0001', BOOTSTRAP_ADMIN_KEY_SECRET: 'weak' },
      'BOOTSTRAP_ADMIN_KEY_SECRET',
    ],
    [{ KEY_ENCRYPTION_SECRET: 'too-short' }, 'KEY_ENCRYPTION_SECRET'],
    [{ KEY_ENCRYPTION_SECRET_PREVIOUS: 'x'.repeat(31) }, 'KEY_ENCRYPTION_SECRET_PREVIOUS'],
    [{ SIGNING_KEY_ROTATION_DAYS: '-1' }, 'SIGNING_KEY_ROTATION_DAYS'],
    [{ SIGNING_KEY_ROTATION_DAYS: 'monthly' }, 'SIGNING_KEY_ROTATION_DAYS'],
    [{ TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY'],
    [{ API_SCOPES: 'reports:read,has space' }, 'API_SCOPES'],
    [{ ALLOWED_RESOURCES: 'https://reports.example.com,reports' }, 'ALLOWED_RESOURCES'],
    [{ ALLOWED_RESOURCES: 'https://reports.example.com/#top' }, 'ALLOWED_RESOURCES'],
    [{ ALLOWED_RESOURCES: 'https:' }, 'ALLOWED_RESOURCES'],
    [{ REDIS_URL: 'http://127.0.0.1:6379' }, 'REDIS_URL'],
    [{ API_KEY_MAX_LIFETIME_DAYS: '-1' }, 'API_KEY_MAX_LIFETIME_DAYS'],
    [{ API_KEY_SECRET_PREFIX: 'kr-' }, 'API_KEY_SECRET_PREFIX'],
    [{ TRUST_PROXY: '10.0.0.0/8,fd00::/129' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '10.0.0.256' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '10.0.0.0/8/1' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: 'yes' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '-1' }, 'TRUST_PROXY'],
    [{ MAX_SESSIONS_PER_API_KEY: '-1' }, 'MAX_SESSIONS_PER_API_KEY'],
    [{ MAX_SESSIONS_PER_API_KEY: 'many' }, 'MAX_SESSIONS_PER_API_KEY'],
    [{ AUDIT_RETENTION_DAYS: '1.5' }, 'AUDIT_RETENTION_DAYS'],
    [{ SHUTDOWN_TIMEOUT_MS: '-1' }, 'SHUTDOWN_TIMEOUT_MS'],
    [{ SHUTDOWN_TIMEOUT_MS: '10s' }, 'SHUTDOWN_TIMEOUT_MS'],
    [{ SHUTDOWN_DELAY_MS: '700000' }, 'SHUTDOWN_DELAY_MS'],
    [{ METRICS_ENABLED: 'yes' }, 'METRICS_ENABLED'],
    [{ METRICS_PORT: '70000' }, 'METRICS_PORT'],
    [{ METRICS_PORT: 'nine' }, 'METRICS_PORT'],
    [{ METRICS_PORT: '3000' }, 'METRICS_PORT'],
    [{ METRICS_PORT: '8080', PORT: '8080' }, 'METRICS_PORT'],
    [{ LOG_FORMAT: 'text' }, 'LOG_FORMAT'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'],
  ])('rejects %j naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration: ${variable} `));
  });

  it.each([
    ['false', false],
    ['true', true],
    ['2', 2],
    ['127.0.0.1', ['127.0.0.1']],
    [' 10.0.0.0/8 , 192.168.1.7, fd00::/8 ', ['10.0.0.0/8', '192.168.1.7', 'fd00::/8']],
  ])('reads TRUST_PROXY=%j', (raw, expected) => {
    expect(loadConfig({ TRUST_PROXY: raw }).trustProxy).toEqual(expected);
  });

  it('reads METRICS_ENABLED and METRICS_PORT', () => {
    expect(loadConfig({ METRICS_PORT: '9464' }).metrics).toEqual({ enabled: true, port: 9464 });
    expect(loadConfig({ METRICS_ENABLED: 'false' }).metrics).toEqual({ enabled: false });
    // Off wins: no port is opened either.
    expect(loadConfig({ METRICS_ENABLED: '0', METRICS_PORT: '9464' }).metrics).toEqual({
      enabled: false,
    });
  });

  it('reads LOG_FORMAT and LOG_LEVEL (JSON at info by default)', () => {
    expect(loadConfig({}).logging).toEqual({ format: 'json', level: 'info' });
    expect(loadConfig({ LOG_FORMAT: 'Pretty', LOG_LEVEL: ' debug ' }).logging).toEqual({
      format: 'pretty',
      level: 'debug',
    });
    expect(loadConfig({ LOG_LEVEL: 'silent' }).logging.level).toBe('silent');
  });

  it('reads the bounded-growth settings', () => {
    const config = loadConfig({ MAX_SESSIONS_PER_API_KEY: '5', AUDIT_RETENTION_DAYS: '30' });
    expect(config).toMatchObject({ maxSessionsPerApiKey: 5, auditRetentionDays: 30 });
  });

  it('never echoes a bad secret in the message', () => {
    expect(() =>
      loadConfig({
        BOOTSTRAP_ADMIN_KEY_ID: 'bootstrap-admin-key-0001',
        BOOTSTRAP_ADMIN_KEY_SECRET: 'weak-secret!',
      }),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining('weak-secret!') }));
  });
});

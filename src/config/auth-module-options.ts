import type { AuthModuleOptions } from '../../libs/auth/src';
import type { AppConfig } from './env';
import { keyEncryptionSecretFor } from './key-encryption-secret';

/**
 * The AuthModule options that follow from the server's settings. The server and `auth-admin`
 * both start from these, so a setting cannot reach one and miss the other; each adds or
 * overrides what is its own. Call it inside a `useFactory`: the warning about a generated
 * key-encryption secret then goes to the app's logger.
 */
export function authModuleOptionsFor(config: AppConfig): AuthModuleOptions {
  return {
    issuer: config.issuer,
    audience: config.audience,
    allowedResources: config.allowedResources,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
    sessionMaxAgeSeconds: config.sessionMaxAgeSeconds,
    refreshReuseGraceSeconds: config.refreshReuseGraceSeconds,
    keyEncryptionSecret: keyEncryptionSecretFor(config),
    previousKeyEncryptionSecret: config.previousKeyEncryptionSecret,
    signingKeyRotationDays: config.signingKeyRotationDays,
    walletTokenTtlSeconds: config.walletTokenTtlSeconds,
    walletTokenAudience: config.walletTokenAudience,
    registrationTokenTtlSeconds: config.registrationTokenTtlSeconds,
    maxSessionsPerApiKey: config.maxSessionsPerApiKey,
    scopes: Object.fromEntries(config.apiScopes.map((name) => [name, name])),
    apiKeyMaxLifetimeDays: config.apiKeyMaxLifetimeDays,
    apiKeySecretPrefix: config.apiKeySecretPrefix,
    auditRetentionDays: config.auditRetentionDays,
    redisUrl: config.redisUrl,
    databaseTimeoutMs: config.database.timeoutMs,
  };
}

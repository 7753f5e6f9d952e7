import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { AuditService } from '../audit/audit.service';
import { nowMs } from '../common/clock';
import { randomPublicId, secretMatchesDigest, sha256Hex } from '../common/crypto';
import { DomainError } from '../common/domain-error';
import type { PageRequest } from '../common/pagination';
import { UnitOfWork } from '../database/unit-of-work';
import {
  AUTH_METRICS,
  type AuthFailureReason,
  type AuthMetricsSink,
} from '../metrics/auth-metrics';
import { KeyUsageRecorder } from '../sessions/key-usage.recorder';
import { SessionsService } from '../sessions/sessions.service';
import { addressAllowed } from './address-allow-list';
import { newApiKeySecret } from './api-key-secret';
import { ApiKeyEntity } from './api-key.entity';
import { type ApiKeyRestrictions, NO_RESTRICTIONS, restrictionsFrom } from './api-key-restrictions';
import type { CreateApiKeyDto } from './dto/api-key.dto';
import type { ApiUserEntity, ApiUserStatus } from './api-user.entity';
import { ApiKeysRepository } from './api-keys.repository';
import { FailedAttemptsLimiter } from './failed-attempts.limiter';
import { SharedLockouts } from './shared-lockouts';
import { UnknownKeyFailuresAudit } from './unknown-key-failures.audit';

export interface IssuedApiKey {
  key: ApiKeyEntity;
  /** Shown once; only its hash is stored. */
  secret: string;
}

/** Stands in for a stored digest when the key id is unknown, so both paths hash once. */
const UNKNOWN_KEY_DIGEST = sha256Hex('unknown api key');

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly unitOfWork: UnitOfWork,
    private readonly failedAttempts: FailedAttemptsLimiter,
    private readonly sharedLockouts: SharedLockouts,
    private readonly unknownKeyFailures: UnknownKeyFailuresAudit,
    @Inject(AUTH_METRICS) private readonly metrics: AuthMetricsSink,
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
    private readonly keyUsage: KeyUsageRecorder,
  ) {}

  /** Creates a key for a user inside the caller's transaction. */
  async issue(
    manager: EntityManager,
    apiUserId: string,
    now: number,
    ip: string | null,
    restrictions: ApiKeyRestrictions = NO_RESTRICTIONS,
  ): Promise<IssuedApiKey> {
    const secret = newApiKeySecret(this.options.apiKeySecretPrefix);
    const key = Object.assign(new ApiKeyEntity(), {
      id: randomPublicId(),
      apiUserId,
      secretHash: sha256Hex(secret),
      ...restrictions,
      lastUsedAt: null,
      createdAt: now,
      revokedAt: null,
    } satisfies ApiKeyEntity);
    await this.keys.insert(key, manager);
    await this.audit.record(manager, { type: 'api_key.created', apiUserId, apiKeyId: key.id, ip });
    return { key, secret };
  }

  /** A new key for a user, with the restrictions asked for (checked: see restrictionsFrom). */
  create(apiUserId: string, ip: string | null, body?: CreateApiKeyDto): Promise<IssuedApiKey> {
    const now = nowMs();
    const restrictions = restrictionsFrom(body, now, this.options);
    return this.unitOfWork.transaction((manager) =>
      this.issue(manager, apiUserId, now, ip, restrictions),
    );
  }

  /**
   * Replaces a key: a new key with the same name, scopes and allow-list, and the old one
   * expiring `overlapSeconds` from now (or sooner, if it already expires sooner), so that
   * clients can move to the new secret meanwhile. A revoked or expired key is a `conflict`.
   */
  async rotate(
    apiUserId: string,
    apiKeyId: string,
    overlapSeconds: number,
    ip: string | null,
  ): Promise<IssuedApiKey> {
    return this.unitOfWork.transaction(async (manager) => {
      const old = await this.keys.findOwnedBy(apiUserId, apiKeyId, manager);
      if (!old)
        throw new DomainError('not_found', 'No such API key for this API user.', 'api_key_id');
      const now = nowMs();
      if (old.revokedAt !== null || (old.expiresAt !== null && old.expiresAt <= now))
        throw new DomainError('conflict', 'The API key is revoked or expired.', 'api_key_id');
      const oldExpiresAt = Math.min(old.expiresAt ?? Infinity, now + overlapSeconds * 1000);
      await this.keys.expire(apiKeyId, oldExpiresAt, manager);
      return this.issue(manager, apiUserId, now, ip, {
        name: old.name,
        scopes: old.scopes,
        expiresAt: null,
        allowedCidrs: old.allowedCidrs,
      });
    });
  }

  /** A page of a user's keys, their last use including what this instance has yet to write. */
  async findPage(apiUserId: string, page: PageRequest): Promise<[ApiKeyEntity[], number]> {
    const [keys, count] = await this.keys.findPageOwnedBy(apiUserId, page);
    for (const key of keys) {
      const pending = this.keyUsage.pendingUse(key.id);
      if (pending !== undefined && pending > (key.lastUsedAt ?? 0)) key.lastUsedAt = pending;
    }
    return [keys, count];
  }

  /** Revokes a key and the sessions it opened. Revoking a revoked key again is a no-op. */
  async revoke(apiUserId: string, apiKeyId: string, ip: string | null): Promise<void> {
    const key = await this.keys.findOwnedBy(apiUserId, apiKeyId);
    if (!key)
      throw new DomainError('not_found', 'No such API key for this API user.', 'api_key_id');
    await this.unitOfWork.transaction(async (manager) => {
      const now = nowMs();
      if (!(await this.keys.revoke(apiKeyId, now, manager))) return;
      await this.audit.record(manager, { type: 'api_key.revoked', apiUserId, apiKeyId, ip });
      await this.sessions.revokeAllOfApiKey(
        manager,
        apiUserId,
        apiKeyId,
        'api_key_revoked',
        now,
        ip,
      );
    });
  }

  /** Revokes a key known by its id alone (the command line); returns its owner's id. */
  async revokeById(apiKeyId: string, ip: string | null): Promise<string> {
    const key = await this.keys.findWithOwner(apiKeyId);
    if (!key) throw new DomainError('not_found', 'No such API key.', 'api_key_id');
    await this.revoke(key.apiUserId, apiKeyId, ip);
    return key.apiUserId;
  }

  /** An active key of an active user, for callers the host has authenticated itself. */
  async findActive(apiKeyId: string): Promise<{ key: ApiKeyEntity; owner: ApiUserEntity }> {
    const key = await this.keys.findWithOwner(apiKeyId);
    // The host vouches for the caller, and its address is the host's to check.
    if (!isUsable(key, nowMs(), null, { anyAddress: true }))
      throw new DomainError('invalid_credentials');
    return { key, owner: key.apiUser };
  }

  /**
   * Checks API key credentials. Unknown id, wrong secret, revoked key and inactive owner all
   * fail alike (and take the same work), so the answer reveals nothing about which it was.
   */
  async verify(
    apiKeyId: string,
    secret: string,
    ip: string | null,
  ): Promise<{ key: ApiKeyEntity; owner: ApiUserEntity }> {
    this.failedAttempts.assertAllowed(apiKeyId, ip);
    const key = await this.keys.findWithOwner(apiKeyId);
    const secretMatches = secretMatchesDigest(secret, key?.secretHash ?? UNKNOWN_KEY_DIGEST);
    const now = nowMs();
    if (secretMatches && isUsable(key, now, ip)) return { key, owner: key.apiUser };
    this.failedAttempts.recordFailure(apiKeyId, ip);
    await this.sharedLockouts.recordFailure(apiKeyId, ip);
    const reason = failureReason(key, secretMatches, now, ip);
    // A key whose owner is gone is as good as unknown.
    this.metrics.authFailed(reason === 'api_user_missing' ? 'unknown_api_key' : reason);
    if (!key) {
      await this.unknownKeyFailures.record(ip);
      throw new DomainError('invalid_credentials');
    }
    await this.audit.recordAlone({
      type: 'auth.failed',
      apiUserId: key.apiUserId,
      apiKeyId: key.id,
      ip,
      data: { reason },
    });
    throw new DomainError('invalid_credentials');
  }
}

/**
 * A key that may open sessions at `now` for a request from `ip`: not revoked, not expired,
 * the address in its allow-list, and its owner active.
 */
function isUsable(
  key: ApiKeyEntity | null,
  now: number,
  ip: string | null,
  { anyAddress = false } = {},
): key is ApiKeyEntity & { apiUser: ApiUserEntity } {
  return (
    !!key?.apiUser &&
    key.revokedAt === null &&
    (key.expiresAt === null || now < key.expiresAt) &&
    (anyAddress || addressAllowed(key.allowedCidrs, ip)) &&
    key.apiUser.status === 'active'
  );
}

/** Why a credential check failed: the audit event's `reason`, and the failure metric's. */
function failureReason(
  key: ApiKeyEntity | null,
  secretMatches: boolean,
  now: number,
  ip: string | null,
): AuthFailureReason | 'api_user_missing' {
  if (!key) return 'unknown_api_key';
  if (!secretMatches) return 'wrong_secret';
  if (key.revokedAt !== null) return 'api_key_revoked';
  if (key.expiresAt !== null && now >= key.expiresAt) return 'api_key_expired';
  if (!addressAllowed(key.allowedCidrs, ip)) return 'address_not_allowed';
  const status = key.apiUser?.status;
  return status && status !== 'active' ? INACTIVE_OWNER[status] : 'api_user_missing';
}

const INACTIVE_OWNER: Record<Exclude<ApiUserStatus, 'active'>, AuthFailureReason> = {
  pending: 'api_user_pending',
  suspended: 'api_user_suspended',
};

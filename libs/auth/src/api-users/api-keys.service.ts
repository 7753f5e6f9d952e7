import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { nowMs } from '../common/clock';
import { randomPublicId, randomSecret, secretMatchesDigest, sha256Hex } from '../common/crypto';
import { DomainError } from '../common/domain-error';
import type { PageRequest } from '../common/pagination';
import { UnitOfWork } from '../database/unit-of-work';
import {
  AUTH_METRICS,
  type AuthFailureReason,
  type AuthMetricsSink,
} from '../metrics/auth-metrics';
import { SessionsService } from '../sessions/sessions.service';
import { ApiKeyEntity } from './api-key.entity';
import type { ApiUserEntity, ApiUserStatus } from './api-user.entity';
import { ApiKeysRepository } from './api-keys.repository';
import { FailedAttemptsLimiter } from './failed-attempts.limiter';
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
    private readonly unknownKeyFailures: UnknownKeyFailuresAudit,
    @Inject(AUTH_METRICS) private readonly metrics: AuthMetricsSink,
  ) {}

  /** Creates a key for a user inside the caller's transaction. */
  async issue(
    manager: EntityManager,
    apiUserId: string,
    now: number,
    ip: string | null,
  ): Promise<IssuedApiKey> {
    const secret = randomSecret();
    const key = new ApiKeyEntity();
    key.id = randomPublicId();
    key.apiUserId = apiUserId;
    key.secretHash = sha256Hex(secret);
    key.createdAt = now;
    key.revokedAt = null;
    await this.keys.insert(key, manager);
    await this.audit.record(manager, { type: 'api_key.created', apiUserId, apiKeyId: key.id, ip });
    return { key, secret };
  }

  create(apiUserId: string, ip: string | null): Promise<IssuedApiKey> {
    return this.unitOfWork.transaction((manager) => this.issue(manager, apiUserId, nowMs(), ip));
  }

  findPage(apiUserId: string, page: PageRequest): Promise<[ApiKeyEntity[], number]> {
    return this.keys.findPageOwnedBy(apiUserId, page);
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
    if (!isUsable(key)) throw new DomainError('invalid_credentials');
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
    if (secretMatches && isUsable(key)) return { key, owner: key.apiUser };
    this.failedAttempts.recordFailure(apiKeyId, ip);
    const reason = failureReason(key, secretMatches);
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

/** A key that may open sessions: not revoked, and its owner active. */
function isUsable(key: ApiKeyEntity | null): key is ApiKeyEntity & { apiUser: ApiUserEntity } {
  return !!key?.apiUser && key.revokedAt === null && key.apiUser.status === 'active';
}

/** Why a credential check failed: the audit event's `reason`, and the failure metric's. */
function failureReason(
  key: ApiKeyEntity | null,
  secretMatches: boolean,
): AuthFailureReason | 'api_user_missing' {
  if (!key) return 'unknown_api_key';
  if (!secretMatches) return 'wrong_secret';
  if (key.revokedAt !== null) return 'api_key_revoked';
  const status = key.apiUser?.status;
  return status && status !== 'active' ? INACTIVE_OWNER[status] : 'api_user_missing';
}

const INACTIVE_OWNER: Record<Exclude<ApiUserStatus, 'active'>, AuthFailureReason> = {
  pending: 'api_user_pending',
  suspended: 'api_user_suspended',
};

import { Inject, Injectable } from '@nestjs/common';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { AuditService } from '../audit/audit.service';
import { nowMs } from '../common/clock';
import { randomSecret, sha256Hex } from '../common/crypto';
import { DomainError } from '../common/domain-error';
import { uuidv7 } from '../common/ids';
import type { PageRequest } from '../common/pagination';
import type { Principal, Role } from '../common/principal';
import { isUniqueViolation } from '../database/unique-violation';
import { UnitOfWork } from '../database/unit-of-work';
import { SessionsService } from '../sessions/sessions.service';
import { ApiUserEntity, type ApiUserStatus } from './api-user.entity';
import { ApiKeysService, type IssuedApiKey } from './api-keys.service';
import { ApiUsersRepository } from './api-users.repository';

export interface IssuedRegistrationToken {
  /** One-time registration token, in clear only in this response. */
  registrationToken: string;
  expiresAt: number;
}

export interface CreatedApiUser extends IssuedRegistrationToken {
  user: ApiUserEntity;
}

export interface Registration {
  user: ApiUserEntity;
  apiKey: IssuedApiKey;
}

@Injectable()
export class ApiUsersService {
  constructor(
    private readonly users: ApiUsersRepository,
    private readonly apiKeys: ApiKeysService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly unitOfWork: UnitOfWork,
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
  ) {}

  private registrationTokenExpiry(now: number): number {
    return now + this.options.registrationTokenTtlSeconds * 1000;
  }

  async create(
    name: string,
    role: Role,
    actor: Principal,
    ip: string | null,
  ): Promise<CreatedApiUser> {
    const registrationToken = randomSecret();
    const now = nowMs();
    const user = new ApiUserEntity();
    user.id = uuidv7();
    user.name = name;
    user.role = role;
    user.status = 'pending';
    user.registrationTokenHash = sha256Hex(registrationToken);
    user.registrationTokenExpiresAt = this.registrationTokenExpiry(now);
    user.createdAt = now;
    user.updatedAt = now;
    try {
      await this.unitOfWork.transaction(async (manager) => {
        if (await this.users.existsByName(name, manager)) throw nameTaken();
        await this.users.insert(user, manager);
        await this.audit.record(manager, {
          type: 'api_user.created',
          apiUserId: user.id,
          ip,
          data: { role, created_by: actor.apiUserId },
        });
      });
    } catch (error) {
      // Two concurrent creations can both pass the check; the unique index decides.
      throw isUniqueViolation(error) ? nameTaken() : error;
    }
    return { user, registrationToken, expiresAt: user.registrationTokenExpiresAt };
  }

  /** Issues a new registration token for a pending user; the previous one stops working. */
  async reissueRegistrationToken(
    id: string,
    actor: Principal,
    ip: string | null,
  ): Promise<IssuedRegistrationToken> {
    const registrationToken = randomSecret();
    const now = nowMs();
    const expiresAt = this.registrationTokenExpiry(now);
    const replaced = await this.unitOfWork.transaction(async (manager) => {
      const pending = await this.users.replaceRegistrationToken(
        id,
        sha256Hex(registrationToken),
        expiresAt,
        now,
        manager,
      );
      if (pending) {
        await this.audit.record(manager, {
          type: 'api_user.registration_token_issued',
          apiUserId: id,
          ip,
          data: { by: actor.apiUserId },
        });
      }
      return pending;
    });
    if (!replaced) {
      await this.get(id); // 404 when there is no such user
      throw new DomainError('conflict', 'Only a pending API user has a registration token.', 'id');
    }
    return { registrationToken, expiresAt };
  }

  findPage(page: PageRequest): Promise<[ApiUserEntity[], number]> {
    return this.users.findPage(page);
  }

  async get(id: string): Promise<ApiUserEntity> {
    const user = await this.users.findById(id);
    if (!user) throw new DomainError('not_found', 'No such API user.', 'id');
    return user;
  }

  /** Suspends (ending every session) or reactivates an API user. */
  async setStatus(
    id: string,
    status: Extract<ApiUserStatus, 'active' | 'suspended'>,
    actor: Principal,
    ip: string | null,
  ): Promise<ApiUserEntity> {
    const user = await this.get(id);
    if (user.status === status) return user;
    if (user.status === 'pending' && status === 'active') {
      throw new DomainError(
        'validation_failed',
        'A pending API user becomes active by registering.',
        'status',
      );
    }
    if (status === 'suspended' && id === actor.apiUserId) {
      throw new DomainError('validation_failed', 'An admin cannot suspend itself.', 'status');
    }
    const now = nowMs();
    await this.unitOfWork.transaction(async (manager) => {
      await this.users.setStatus(id, status, now, manager);
      await this.audit.record(manager, {
        type: status === 'suspended' ? 'api_user.suspended' : 'api_user.reactivated',
        apiUserId: id,
        ip,
        data: { by: actor.apiUserId },
      });
      if (status === 'suspended') {
        await this.sessions.revokeAllOfUser(manager, id, 'api_user_suspended', now, ip);
      }
    });
    return { ...user, status, updatedAt: now };
  }

  /** Spends a registration token: the user becomes active and receives its first API key. */
  async register(registrationToken: string, ip: string | null): Promise<Registration> {
    const hash = sha256Hex(registrationToken);
    const user = await this.users.findPendingByRegistrationTokenHash(hash);
    if (!user) throw new DomainError('invalid_registration_token', undefined, 'registration_token');
    const now = nowMs();
    if (user.registrationTokenExpiresAt === null || user.registrationTokenExpiresAt <= now) {
      throw new DomainError('registration_token_expired', undefined, 'registration_token');
    }
    const apiKey = await this.unitOfWork.transaction(async (manager) => {
      // The conditional update picks one winner if the same token is presented twice at once.
      if (!(await this.users.activateWithRegistrationToken(user.id, hash, now, manager))) {
        throw new DomainError('invalid_registration_token', undefined, 'registration_token');
      }
      await this.audit.record(manager, { type: 'api_user.registered', apiUserId: user.id, ip });
      return this.apiKeys.issue(manager, user.id, now, ip);
    });
    return {
      user: {
        ...user,
        status: 'active',
        registrationTokenHash: null,
        registrationTokenExpiresAt: null,
        updatedAt: now,
      },
      apiKey,
    };
  }
}

function nameTaken(): DomainError {
  return new DomainError('conflict', 'An API user with this name already exists.', 'name');
}

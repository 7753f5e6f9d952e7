import { Injectable } from '@nestjs/common';
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

export interface CreatedApiUser {
  user: ApiUserEntity;
  /** One-time registration token, in clear only in this response. */
  registrationToken: string;
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
  ) {}

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
    return { user, registrationToken };
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
    const apiKey = await this.unitOfWork.transaction(async (manager) => {
      // The conditional update picks one winner if the same token is presented twice at once.
      if (!(await this.users.activateWithRegistrationToken(user.id, hash, now, manager))) {
        throw new DomainError('invalid_registration_token', undefined, 'registration_token');
      }
      await this.audit.record(manager, { type: 'api_user.registered', apiUserId: user.id, ip });
      return this.apiKeys.issue(manager, user.id, now, ip);
    });
    return {
      user: { ...user, status: 'active', registrationTokenHash: null, updatedAt: now },
      apiKey,
    };
  }
}

function nameTaken(): DomainError {
  return new DomainError('conflict', 'An API user with this name already exists.', 'name');
}

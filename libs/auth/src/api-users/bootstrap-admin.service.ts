import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { AuditService } from '../audit/audit.service';
import { nowMs } from '../common/clock';
import { sha256Hex } from '../common/crypto';
import { uuidv7 } from '../common/ids';
import { isUniqueViolation } from '../database/unique-violation';
import { UnitOfWork } from '../database/unit-of-work';
import { ApiKeyEntity } from './api-key.entity';
import { NO_RESTRICTIONS } from './api-key-restrictions';
import { ApiUserEntity } from './api-user.entity';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService, type IssuedApiKey } from './api-keys.service';
import { ApiUsersRepository } from './api-users.repository';
import { DomainError } from '../common/domain-error';

export const BOOTSTRAP_ADMIN_NAME = 'bootstrap-admin';

/** Creates the first admin from configured credentials, once, when no admin exists yet. */
@Injectable()
export class BootstrapAdminService implements OnApplicationBootstrap {
  private readonly logger = new Logger('BootstrapAdmin');

  constructor(
    private readonly users: ApiUsersRepository,
    private readonly keys: ApiKeysRepository,
    private readonly audit: AuditService,
    private readonly unitOfWork: UnitOfWork,
    private readonly apiKeys: ApiKeysService,
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
  ) {}

  /** Whether any API user with the admin role exists (whatever its status). */
  adminExists(): Promise<boolean> {
    return this.users.existsWithRole('admin');
  }

  /**
   * Creates an active admin with a generated API key, for an operator at the command line: the
   * key's secret is in the result only. Refused (`conflict`) when an admin exists already,
   * unless `evenIfAdminExists`; a taken name is a `conflict` too.
   */
  async createAdmin(
    name: string,
    { evenIfAdminExists = false, createdBy = 'cli' } = {},
  ): Promise<{ admin: ApiUserEntity; apiKey: IssuedApiKey }> {
    try {
      return await this.unitOfWork.transaction(async (manager) => {
        if (!evenIfAdminExists && (await this.users.existsWithRole('admin', manager))) {
          throw new DomainError('conflict', 'An admin exists already.', 'role');
        }
        if (await this.users.existsByName(name, manager)) throw nameTaken();
        const now = nowMs();
        const admin = Object.assign(new ApiUserEntity(), {
          id: uuidv7(),
          name,
          role: 'admin',
          status: 'active',
          registrationTokenHash: null,
          registrationTokenExpiresAt: null,
          createdAt: now,
          updatedAt: now,
        } satisfies ApiUserEntity);
        await this.users.insert(admin, manager);
        await this.audit.record(manager, {
          type: 'api_user.created',
          apiUserId: admin.id,
          data: { role: 'admin', created_by: createdBy },
        });
        const apiKey = await this.apiKeys.issue(manager, admin.id, now, null);
        return { admin, apiKey };
      });
    } catch (error) {
      // Two creations at once: the unique index on the name decides.
      throw isUniqueViolation(error) ? nameTaken() : error;
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    const credentials = this.options.bootstrapAdmin;
    if (!credentials) return;
    try {
      const created = await this.unitOfWork.transaction(async (manager) => {
        if (await this.users.existsWithRole('admin', manager)) return false;
        if (await this.keys.exists(credentials.apiKeyId, manager)) return false;
        const now = nowMs();
        const admin = Object.assign(new ApiUserEntity(), {
          id: uuidv7(),
          name: BOOTSTRAP_ADMIN_NAME,
          role: 'admin',
          status: 'active',
          registrationTokenHash: null,
          registrationTokenExpiresAt: null,
          createdAt: now,
          updatedAt: now,
        } satisfies ApiUserEntity);
        await this.users.insert(admin, manager);
        await this.keys.insert(
          Object.assign(new ApiKeyEntity(), {
            id: credentials.apiKeyId,
            apiUserId: admin.id,
            secretHash: sha256Hex(credentials.apiKeySecret),
            ...NO_RESTRICTIONS,
            lastUsedAt: null,
            createdAt: now,
            revokedAt: null,
          } satisfies ApiKeyEntity),
          manager,
        );
        await this.audit.record(
          manager,
          {
            type: 'api_user.created',
            apiUserId: admin.id,
            data: { role: 'admin', created_by: 'bootstrap' },
          },
          { type: 'api_key.created', apiUserId: admin.id, apiKeyId: credentials.apiKeyId },
        );
        return true;
      });
      if (created)
        this.logger.log(`created the bootstrap admin with API key ${credentials.apiKeyId}`);
    } catch (error) {
      // Another instance starting at the same moment created it first.
      if (!isUniqueViolation(error)) throw error;
    }
  }
}

function nameTaken(): DomainError {
  return new DomainError('conflict', 'An API user with this name already exists.', 'name');
}

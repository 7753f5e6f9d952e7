import { Inject, Injectable } from '@nestjs/common';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import type { PageRequest } from '../common/pagination';
import type { KeyedRead } from '../database/keyed-read';
import { preparedRead } from '../database/prepared-read';
import { ApiKeyEntity } from './api-key.entity';
import { ApiUserEntity } from './api-user.entity';

const KEY_WITH_OWNER_SQL = `
  SELECT k.id, k.api_user_id, k.secret_hash, k.created_at, k.revoked_at,
         k.name AS key_name, k.scopes, k.expires_at, k.allowed_cidrs, k.last_used_at,
         u.name, u.role, u.status, u.registration_token_hash, u.created_at AS user_created_at, u.updated_at AS user_updated_at
  FROM api_keys k JOIN api_users u ON u.id = k.api_user_id
  WHERE k.id = $1`;

interface KeyWithOwnerRow {
  id: string;
  api_user_id: string;
  secret_hash: string;
  created_at: number | string;
  revoked_at: number | string | null;
  key_name: string | null;
  scopes: string | null;
  expires_at: number | string | null;
  allowed_cidrs: string | null;
  last_used_at: number | string | null;
  name: string;
  role: ApiUserEntity['role'];
  status: ApiUserEntity['status'];
  registration_token_hash: string | null;
  user_created_at: number | string;
  user_updated_at: number | string;
}

const nullableNumber = (value: number | string | null): number | null =>
  value === null ? null : Number(value);

function toKeyWithOwner(row: KeyWithOwnerRow): ApiKeyEntity {
  const owner = Object.assign(new ApiUserEntity(), {
    id: row.api_user_id,
    name: row.name,
    role: row.role,
    status: row.status,
    registrationTokenHash: row.registration_token_hash,
    createdAt: Number(row.user_created_at),
    updatedAt: Number(row.user_updated_at),
  });
  return Object.assign(new ApiKeyEntity(), {
    id: row.id,
    apiUserId: row.api_user_id,
    apiUser: owner,
    secretHash: row.secret_hash,
    name: row.key_name,
    scopes: row.scopes,
    expiresAt: nullableNumber(row.expires_at),
    allowedCidrs: row.allowed_cidrs,
    lastUsedAt: nullableNumber(row.last_used_at),
    createdAt: Number(row.created_at),
    revokedAt: nullableNumber(row.revoked_at),
  } satisfies Omit<ApiKeyEntity, 'apiUser'> & { apiUser: ApiUserEntity });
}

@Injectable()
export class ApiKeysRepository {
  private readonly keyWithOwner: KeyedRead<KeyWithOwnerRow>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AUTH_OPTIONS) options: ResolvedAuthOptions,
  ) {
    this.keyWithOwner = preparedRead<KeyWithOwnerRow>(
      this.dataSource,
      'auth_api_key_with_owner',
      KEY_WITH_OWNER_SQL,
      'id',
      options.databaseTimeoutMs,
    );
  }

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(ApiKeyEntity);
  }

  async insert(key: ApiKeyEntity, manager?: EntityManager): Promise<void> {
    await this.repo(manager).insert(key);
  }

  exists(id: string, manager?: EntityManager): Promise<boolean> {
    return this.repo(manager).existsBy({ id });
  }

  /**
   * The key with its owner, in one prepared query: what a credential check needs (it runs on
   * every token request).
   */
  async findWithOwner(id: string): Promise<ApiKeyEntity | null> {
    const row = await this.keyWithOwner(id);
    return row ? toKeyWithOwner(row) : null;
  }

  findOwnedBy(
    apiUserId: string,
    id: string,
    manager?: EntityManager,
  ): Promise<ApiKeyEntity | null> {
    return this.repo(manager).findOneBy({ id, apiUserId });
  }

  /** Sets when the key stops working. */
  async expire(id: string, expiresAt: number, manager: EntityManager): Promise<void> {
    await this.repo(manager).update({ id }, { expiresAt });
  }

  findPageOwnedBy(apiUserId: string, page: PageRequest): Promise<[ApiKeyEntity[], number]> {
    return this.repo().findAndCount({
      where: { apiUserId },
      order: { createdAt: 'ASC', id: 'ASC' },
      skip: page.offset,
      take: page.pageSize,
    });
  }

  /** Marks the key revoked unless it already is; true when this call revoked it. */
  async revoke(id: string, now: number, manager: EntityManager): Promise<boolean> {
    const result = await this.repo(manager).update({ id, revokedAt: IsNull() }, { revokedAt: now });
    return result.affected === 1;
  }
}

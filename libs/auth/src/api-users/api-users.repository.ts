import { Inject, Injectable } from '@nestjs/common';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { PageRequest } from '../common/pagination';
import type { KeyedRead } from '../database/keyed-read';
import { preparedRead } from '../database/prepared-read';
import { ApiUserEntity, type ApiUserStatus } from './api-user.entity';

interface ApiUserRow {
  id: string;
  name: string;
  role: ApiUserEntity['role'];
  status: ApiUserStatus;
  registration_token_hash: string | null;
  registration_token_expires_at: number | string | null;
  created_at: number | string;
  updated_at: number | string;
}

@Injectable()
export class ApiUsersRepository {
  private readonly byId: KeyedRead<ApiUserRow>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AUTH_OPTIONS) options: ResolvedAuthOptions,
  ) {
    this.byId = preparedRead<ApiUserRow>(
      this.dataSource,
      'auth_api_user_by_id',
      'SELECT id, name, role, status, registration_token_hash, registration_token_expires_at, created_at, updated_at FROM api_users WHERE id = $1',
      'id',
      options.databaseTimeoutMs,
    );
  }

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(ApiUserEntity);
  }

  async insert(user: ApiUserEntity, manager?: EntityManager): Promise<void> {
    await this.repo(manager).insert(user);
  }

  /** A prepared read: it runs on every `GET /api-users/me`. */
  async findById(id: string): Promise<ApiUserEntity | null> {
    const row = await this.byId(id);
    return row
      ? Object.assign(new ApiUserEntity(), {
          id: row.id,
          name: row.name,
          role: row.role,
          status: row.status,
          registrationTokenHash: row.registration_token_hash,
          registrationTokenExpiresAt:
            row.registration_token_expires_at === null
              ? null
              : Number(row.registration_token_expires_at),
          createdAt: Number(row.created_at),
          updatedAt: Number(row.updated_at),
        })
      : null;
  }

  existsByName(name: string, manager?: EntityManager): Promise<boolean> {
    return this.repo(manager).existsBy({ name });
  }

  existsWithRole(role: ApiUserEntity['role'], manager?: EntityManager): Promise<boolean> {
    return this.repo(manager).existsBy({ role });
  }

  findPage(page: PageRequest): Promise<[ApiUserEntity[], number]> {
    return this.repo().findAndCount({
      order: { createdAt: 'ASC', id: 'ASC' },
      skip: page.offset,
      take: page.pageSize,
    });
  }

  findPendingByRegistrationTokenHash(
    hash: string,
    manager?: EntityManager,
  ): Promise<ApiUserEntity | null> {
    return this.repo(manager).findOneBy({ registrationTokenHash: hash, status: 'pending' });
  }

  /**
   * Spends a registration token: activates the user only if the token is still there, not
   * expired, and the user still pending. The affected-row count says whether this call won.
   */
  async activateWithRegistrationToken(
    id: string,
    hash: string,
    now: number,
    manager: EntityManager,
  ): Promise<boolean> {
    const result = await this.repo(manager)
      .createQueryBuilder()
      .update()
      .set({
        status: 'active',
        registrationTokenHash: null,
        registrationTokenExpiresAt: null,
        updatedAt: now,
      })
      .where(
        'id = :id AND registration_token_hash = :hash AND status = :pending AND registration_token_expires_at > :now',
        { id, hash, pending: 'pending', now },
      )
      .execute();
    return result.affected === 1;
  }

  /**
   * Replaces a pending user's registration token (the old one stops working). False when
   * the user is not pending (or does not exist): the condition decides, not an earlier read.
   */
  async replaceRegistrationToken(
    id: string,
    hash: string,
    expiresAt: number,
    now: number,
    manager: EntityManager,
  ): Promise<boolean> {
    const result = await this.repo(manager)
      .createQueryBuilder()
      .update()
      .set({ registrationTokenHash: hash, registrationTokenExpiresAt: expiresAt, updatedAt: now })
      .where('id = :id AND status = :pending', { id, pending: 'pending' })
      .execute();
    return result.affected === 1;
  }

  async setStatus(
    id: string,
    status: ApiUserStatus,
    now: number,
    manager: EntityManager,
  ): Promise<void> {
    await this.repo(manager).update({ id }, { status, updatedAt: now });
  }
}

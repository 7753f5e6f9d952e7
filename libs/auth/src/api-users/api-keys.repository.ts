import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import type { PageRequest } from '../common/pagination';
import { ApiKeyEntity } from './api-key.entity';

@Injectable()
export class ApiKeysRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(ApiKeyEntity);
  }

  async insert(key: ApiKeyEntity, manager?: EntityManager): Promise<void> {
    await this.repo(manager).insert(key);
  }

  exists(id: string, manager?: EntityManager): Promise<boolean> {
    return this.repo(manager).existsBy({ id });
  }

  /** The key with its owner, in one query: what a credential check needs. */
  findWithOwner(id: string): Promise<ApiKeyEntity | null> {
    return this.repo().findOne({ where: { id }, relations: { apiUser: true } });
  }

  findOwnedBy(apiUserId: string, id: string): Promise<ApiKeyEntity | null> {
    return this.repo().findOneBy({ id, apiUserId });
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

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { PageRequest } from '../common/pagination';
import { ClientEntity } from './client.entity';

@Injectable()
export class ClientsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(ClientEntity);
  }

  async insert(client: ClientEntity, manager?: EntityManager): Promise<void> {
    await this.repo(manager).insert(client);
  }

  existsByName(name: string, manager?: EntityManager): Promise<boolean> {
    return this.repo(manager).existsBy({ name });
  }

  findPage(page: PageRequest): Promise<[ClientEntity[], number]> {
    return this.repo().findAndCount({
      order: { createdAt: 'ASC', id: 'ASC' },
      skip: page.offset,
      take: page.pageSize,
    });
  }

  findBySecretHash(secretHash: string): Promise<ClientEntity | null> {
    return this.repo().findOneBy({ secretHash });
  }

  /** True when the client existed and is now gone. */
  async delete(id: string, manager: EntityManager): Promise<boolean> {
    const result = await this.repo(manager).delete({ id });
    return result.affected === 1;
  }
}

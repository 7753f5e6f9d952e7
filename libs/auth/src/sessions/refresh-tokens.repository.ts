import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { RefreshTokenEntity } from './refresh-token.entity';

@Injectable()
export class RefreshTokensRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(token: RefreshTokenEntity, manager: EntityManager): Promise<void> {
    await (manager ?? this.dataSource.manager).getRepository(RefreshTokenEntity).insert(token);
  }
}

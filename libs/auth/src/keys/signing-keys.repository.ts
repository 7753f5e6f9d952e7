import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { SigningKeyEntity } from './signing-key.entity';

@Injectable()
export class SigningKeysRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(SigningKeyEntity);
  }

  /** Keys still in use, oldest first: every instance picks the same first one to sign with. */
  findActive(): Promise<SigningKeyEntity[]> {
    return this.repo.find({
      where: { retiredAt: IsNull() },
      order: { createdAt: 'ASC', kid: 'ASC' },
    });
  }

  /** Every key still published: active ones and retired ones whose tokens may be alive. */
  findPublished(retiredAfter: number): Promise<SigningKeyEntity[]> {
    return this.repo
      .createQueryBuilder('key')
      .where('key.retired_at IS NULL OR key.retired_at > :retiredAfter', { retiredAfter })
      .orderBy('key.created_at', 'ASC')
      .addOrderBy('key.kid', 'ASC')
      .getMany();
  }

  async insert(key: SigningKeyEntity): Promise<void> {
    await this.repo.insert(key);
  }
}

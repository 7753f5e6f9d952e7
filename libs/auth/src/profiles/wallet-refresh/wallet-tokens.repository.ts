import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { deleteAtMost } from '../../database/delete-at-most';
import { WalletTokenEntity } from './wallet-token.entity';

@Injectable()
export class WalletTokensRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(WalletTokenEntity);
  }

  async insert(token: WalletTokenEntity): Promise<void> {
    await this.repo.insert(token);
  }

  /**
   * Uses the token if it is unused and unexpired. The conditional UPDATE makes the use single:
   * of concurrent requests, on any instance, exactly one sees one affected row.
   */
  async use(id: string, now: number): Promise<boolean> {
    const result = await this.repo
      .createQueryBuilder()
      .update()
      .set({ usedAt: now })
      .where('id = :id AND used_at IS NULL AND expires_at > :now', { id, now })
      .execute();
    return result.affected === 1;
  }

  /** Deletes up to `limit` tokens that expired before `cutoff`; returns how many. */
  deleteSomeExpiredBefore(cutoff: number, limit: number): Promise<number> {
    return deleteAtMost(this.repo, 'id', 'row.expires_at < :cutoff', { cutoff }, limit);
  }
}

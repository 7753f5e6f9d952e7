import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { ExchangeCandidate } from './exchange-candidate';
import { postgresPool } from '../database/postgres-pool';
import { betterSqliteConnection } from '../database/sqlite-connection';
import { UnitOfWork } from '../database/unit-of-work';
import { PostgresSessionStatements } from './postgres-session.statements';
import { RefreshTokenEntity } from './refresh-token.entity';
import type { SessionStatements } from './session-writes';
import { SqliteSessionStatements } from './sqlite-session.statements';

@Injectable()
export class RefreshTokensRepository {
  private hotPath: SessionStatements | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  /**
   * The hot-path statements of the data source's dialect. Prepared on first use: the tables
   * must exist, and a host may migrate after start-up.
   */
  statements(): SessionStatements {
    this.hotPath ??= this.prepareStatements();
    return this.hotPath;
  }

  private prepareStatements(): SessionStatements {
    const sqlite = betterSqliteConnection(this.dataSource);
    if (sqlite)
      return new SqliteSessionStatements(sqlite, (work) => this.unitOfWork.exclusive(work));
    const pool = postgresPool(this.dataSource);
    if (pool) return new PostgresSessionStatements(pool);
    throw new Error(`unsupported database type: ${this.dataSource.options.type}`);
  }

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(RefreshTokenEntity);
  }

  /** The token, its session, the key that opened it and the owner's status, in one query. */
  findExchangeCandidate(tokenHash: string): Promise<ExchangeCandidate | null> {
    return this.statements().findCandidate(tokenHash);
  }

  /** Whether a token has been exchanged (undefined when it does not exist). */
  async isConsumed(tokenHash: string): Promise<boolean | undefined> {
    // The primary column must be selected too, or TypeORM builds no entity at all.
    const row = await this.repo().findOne({
      select: { tokenHash: true, consumedAt: true },
      where: { tokenHash },
    });
    return row ? row.consumedAt !== null : undefined;
  }

  /** Erases sealed successors whose grace window has closed; returns how many. */
  async forgetSealedSuccessorsConsumedBefore(cutoff: number): Promise<number> {
    const result = await this.repo()
      .createQueryBuilder()
      .update()
      .set({ successorSealed: null })
      .where('successor_sealed IS NOT NULL AND consumed_at < :cutoff', { cutoff })
      .execute();
    return result.affected ?? 0;
  }

  /** Deletes the tokens of the given sessions (before the sessions themselves). */
  async deleteOfSessions(sessionIds: string[], manager: EntityManager): Promise<number> {
    if (sessionIds.length === 0) return 0;
    const result = await this.repo(manager)
      .createQueryBuilder()
      .delete()
      .where('session_id IN (:...sessionIds)', { sessionIds })
      .execute();
    return result.affected ?? 0;
  }
}

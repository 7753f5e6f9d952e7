import { Inject, Injectable } from '@nestjs/common';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { ExchangeCandidate } from './exchange-candidate';
import { postgresPool } from '../database/postgres-pool';
import { betterSqliteConnection } from '../database/sqlite-connection';
import { deleteAtMost } from '../database/delete-at-most';
import { UnitOfWork } from '../database/unit-of-work';
import { authTableRenamer } from '../database/auth-tables';
import { PostgresSessionStatements } from './postgres-session.statements';
import { RefreshTokenEntity } from './refresh-token.entity';
import type { SessionStatements } from './session-writes';
import { SqliteSessionStatements } from './sqlite-session.statements';

/** Sessions per statement when erasing their sealed successors. */
const FORGET_SEALED_CHUNK = 500;

@Injectable()
export class RefreshTokensRepository {
  private hotPath: SessionStatements | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
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
    const tables = authTableRenamer(this.dataSource);
    if (sqlite)
      return new SqliteSessionStatements(sqlite, (work) => this.unitOfWork.exclusive(work), tables);
    const pool = postgresPool(this.dataSource, this.options.databaseTimeoutMs);
    if (pool) return new PostgresSessionStatements(pool, tables);
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

  /**
   * One step of the clean-up's walk over token rows in key order: among the next `limit` rows
   * after `after`, erases the sealed successors whose grace window closed before `cutoff`.
   * Nothing indexes sealed successors (the hot path would pay for it), so each step reads a
   * bounded key range instead of the whole table.
   */
  async forgetSealedSuccessorsAfter(
    after: string,
    cutoff: number,
    limit: number,
  ): Promise<{ last: string | null; erased: number }> {
    const [boundary] = await this.repo()
      .createQueryBuilder('rt')
      .select('rt.token_hash', 'key')
      .where('rt.token_hash > :after', { after })
      .orderBy('rt.token_hash')
      .offset(limit - 1)
      .limit(1)
      .getRawMany<{ key: string }>();
    const erase = this.repo()
      .createQueryBuilder()
      .update()
      .set({ successorSealed: null })
      .where('token_hash > :after AND successor_sealed IS NOT NULL AND consumed_at < :cutoff', {
        after,
        cutoff,
      });
    // Without a boundary fewer than `limit` rows are left: this step takes them all.
    if (boundary) erase.andWhere('token_hash <= :upto', { upto: boundary.key });
    const result = await erase.execute();
    return { last: boundary?.key ?? null, erased: result.affected ?? 0 };
  }

  /**
   * Erases the sealed successors (kept for the grace window) of the given sessions: once a
   * session is revoked no retry may be answered, so its last secret in a recoverable form
   * must not wait for the hourly clean-up. Uses the (session_id, generation) index.
   */
  async forgetSealedOfSessions(sessionIds: string[], manager: EntityManager): Promise<void> {
    // Chunks keep each statement's parameter list well under both drivers' limits.
    for (let start = 0; start < sessionIds.length; start += FORGET_SEALED_CHUNK) {
      await this.repo(manager)
        .createQueryBuilder()
        .update()
        .set({ successorSealed: null })
        .where('session_id IN (:...ids) AND successor_sealed IS NOT NULL', {
          ids: sessionIds.slice(start, start + FORGET_SEALED_CHUNK),
        })
        .execute();
    }
  }

  /**
   * Deletes up to `limit` tokens of the given sessions; returns how many. A session may hold
   * thousands of tokens, so the clean-up deletes them a bounded number at a time.
   */
  async deleteSomeOfSessions(
    sessionIds: string[],
    limit: number,
    manager: EntityManager,
  ): Promise<number> {
    if (sessionIds.length === 0) return 0;
    const where = 'row.session_id IN (:...sessionIds)';
    return deleteAtMost(this.repo(manager), 'token_hash', where, { sessionIds }, limit);
  }
}

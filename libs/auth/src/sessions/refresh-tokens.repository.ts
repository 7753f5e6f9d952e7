import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import {
  type CandidateRow,
  type ExchangeCandidate,
  toExchangeCandidate,
} from './exchange-candidate';
import { betterSqliteConnection } from '../database/sqlite-connection';
import { RefreshTokenEntity } from './refresh-token.entity';
import { SqliteSessionStatements } from './sqlite-session.statements';

@Injectable()
export class RefreshTokensRepository {
  private sqliteStatements: SqliteSessionStatements | undefined;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The prepared hot-path statements when the database is SQLite (undefined on PostgreSQL).
   * Prepared on first use: the tables must exist, and a host may migrate after start-up.
   */
  sqlite(): SqliteSessionStatements | undefined {
    const db = betterSqliteConnection(this.dataSource);
    if (!db) return undefined;
    this.sqliteStatements ??= new SqliteSessionStatements(db);
    return this.sqliteStatements;
  }

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(RefreshTokenEntity);
  }

  async insert(token: RefreshTokenEntity, manager: EntityManager): Promise<void> {
    await this.repo(manager).insert(token);
  }

  /** The token, its session, the key that opened it and the owner's status, in one query. */
  async findExchangeCandidate(tokenHash: string): Promise<ExchangeCandidate | null> {
    const sqlite = this.sqlite();
    if (sqlite) return sqlite.findCandidate(tokenHash);
    const row = await this.repo()
      .createQueryBuilder('rt')
      .innerJoin('sessions', 's', 's.id = rt.session_id')
      .innerJoin('api_keys', 'k', 'k.id = s.api_key_id')
      .innerJoin('api_users', 'u', 'u.id = s.api_user_id')
      .select([
        'rt.token_hash AS token_hash',
        'rt.session_id AS session_id',
        'rt.generation AS generation',
        'rt.created_at AS created_at',
        'rt.expires_at AS expires_at',
        'rt.consumed_at AS consumed_at',
        'rt.successor_hash AS successor_hash',
        'rt.successor_sealed AS successor_sealed',
        's.api_user_id AS api_user_id',
        's.api_key_id AS api_key_id',
        'u.role AS role',
        'u.status AS user_status',
        's.expires_at AS session_expires_at',
        's.revoked_at AS session_revoked_at',
        'k.revoked_at AS api_key_revoked_at',
      ])
      .where('rt.token_hash = :tokenHash', { tokenHash })
      .getRawOne<CandidateRow>();
    return row ? toExchangeCandidate(row) : null;
  }

  /**
   * Marks the token consumed, recording its successor, only if nobody consumed it before.
   * This conditional UPDATE is the single point that decides the winner of concurrent
   * exchanges: the database serialises the row, and only one caller sees one affected row.
   */
  async consume(
    tokenHash: string,
    link: { consumedAt: number; successorHash: string; successorSealed: string | null },
    manager: EntityManager,
  ): Promise<boolean> {
    const result = await this.repo(manager)
      .createQueryBuilder()
      .update()
      .set({
        consumedAt: link.consumedAt,
        successorHash: link.successorHash,
        successorSealed: link.successorSealed,
      })
      .where('token_hash = :tokenHash AND consumed_at IS NULL', { tokenHash })
      .execute();
    return result.affected === 1;
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
   * Erases the sealed copy of a token's successor once that successor is itself exchanged:
   * the grace window no longer applies. The predecessor is found by its place in the chain.
   */
  async forgetSealedCopyHeldByPredecessor(
    sessionId: string,
    generation: number,
    manager: EntityManager,
  ): Promise<void> {
    if (generation === 0) return;
    await this.repo(manager)
      .createQueryBuilder()
      .update()
      .set({ successorSealed: null })
      .where(
        'session_id = :sessionId AND generation = :generation AND successor_sealed IS NOT NULL',
        {
          sessionId,
          generation: generation - 1,
        },
      )
      .execute();
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

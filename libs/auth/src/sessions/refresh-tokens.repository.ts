import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { ApiUserStatus } from '../api-users/api-user.entity';
import type { Role } from '../common/principal';
import { RefreshTokenEntity } from './refresh-token.entity';

/** A presented refresh token with everything an exchange decides on, read in one query. */
export interface ExchangeCandidate {
  tokenHash: string;
  sessionId: string;
  generation: number;
  createdAt: number;
  expiresAt: number;
  consumedAt: number | null;
  successorHash: string | null;
  successorSealed: string | null;
  apiUserId: string;
  apiKeyId: string;
  role: Role;
  userStatus: ApiUserStatus;
  sessionExpiresAt: number;
  sessionRevokedAt: number | null;
  apiKeyRevokedAt: number | null;
}

interface CandidateRow {
  token_hash: string;
  session_id: string;
  generation: number | string;
  created_at: number | string;
  expires_at: number | string;
  consumed_at: number | string | null;
  successor_hash: string | null;
  successor_sealed: string | null;
  api_user_id: string;
  api_key_id: string;
  role: Role;
  user_status: ApiUserStatus;
  session_expires_at: number | string;
  session_revoked_at: number | string | null;
  api_key_revoked_at: number | string | null;
}

const toNumber = (value: number | string): number => Number(value);
const toNullableNumber = (value: number | string | null): number | null =>
  value === null ? null : Number(value);

@Injectable()
export class RefreshTokensRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(RefreshTokenEntity);
  }

  async insert(token: RefreshTokenEntity, manager: EntityManager): Promise<void> {
    await this.repo(manager).insert(token);
  }

  /** The token, its session, the key that opened it and the owner's status, in one query. */
  async findExchangeCandidate(tokenHash: string): Promise<ExchangeCandidate | null> {
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
    if (!row) return null;
    return {
      tokenHash: row.token_hash,
      sessionId: row.session_id,
      generation: toNumber(row.generation),
      createdAt: toNumber(row.created_at),
      expiresAt: toNumber(row.expires_at),
      consumedAt: toNullableNumber(row.consumed_at),
      successorHash: row.successor_hash,
      successorSealed: row.successor_sealed,
      apiUserId: row.api_user_id,
      apiKeyId: row.api_key_id,
      role: row.role,
      userStatus: row.user_status,
      sessionExpiresAt: toNumber(row.session_expires_at),
      sessionRevokedAt: toNullableNumber(row.session_revoked_at),
      apiKeyRevokedAt: toNullableNumber(row.api_key_revoked_at),
    };
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

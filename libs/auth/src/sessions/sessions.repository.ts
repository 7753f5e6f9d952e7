import { Inject, Injectable } from '@nestjs/common';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull, MoreThan, type EntityManager } from 'typeorm';
import type { ApiUserStatus } from '../api-users/api-user.entity';
import type { PageRequest } from '../common/pagination';
import type { KeyedRead } from '../database/keyed-read';
import { authTableRenamer } from '../database/auth-tables';
import { preparedRead } from '../database/prepared-read';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { SessionEntity, type SessionRevocationReason } from './session.entity';

/** What the bearer guard needs to know about a session, with the key and owner it depends on. */
export interface SessionLiveness {
  revokedAt: number | null;
  /** When the session stops being usable: its absolute end, or its key's expiry if sooner. */
  expiresAt: number;
  apiKeyRevokedAt: number | null;
  userStatus: ApiUserStatus;
}

interface LivenessRow {
  id: string;
  revoked_at: number | string | null;
  expires_at: number | string;
  api_key_revoked_at: number | string | null;
  api_key_expires_at: number | string | null;
  user_status: ApiUserStatus;
}

/** A session a bulk revocation ended. */
export type RevokedSession = Pick<SessionEntity, 'id' | 'apiKeyId'>;

/** Whether a session may be deleted (see disposableAfter), with the library's table names unprefixed. */
const DISPOSABLE_SQL = `CASE WHEN s.expires_at <= :now OR s.revoked_at < :revokedBefore
  OR NOT EXISTS (SELECT 1 FROM refresh_tokens rt WHERE rt.session_id = s.id AND rt.expires_at > :idleBefore)
  THEN 1 ELSE 0 END`;

@Injectable()
export class SessionsRepository {
  private readonly liveness: KeyedRead<LivenessRow>;
  /** DISPOSABLE_SQL under the data source's table names, renamed once. */
  private disposableSql?: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly refreshTokens: RefreshTokensRepository,
    @Inject(AUTH_OPTIONS) options: ResolvedAuthOptions,
  ) {
    this.liveness = preparedRead<LivenessRow>(
      this.dataSource,
      'auth_session_liveness',
      `SELECT s.id, s.revoked_at, s.expires_at, k.revoked_at AS api_key_revoked_at,
              k.expires_at AS api_key_expires_at, u.status AS user_status
       FROM sessions s
       JOIN api_keys k ON k.id = s.api_key_id
       JOIN api_users u ON u.id = s.api_user_id
       WHERE s.id = $1`,
      'id',
      options.databaseTimeoutMs,
    );
  }

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(SessionEntity);
  }

  findById(id: string): Promise<SessionEntity | null> {
    return this.repo().findOneBy({ id });
  }

  /**
   * A prepared read: it runs for the first request of every access token (and again each time
   * the liveness cache's answer expires). As an ORM query, PostgreSQL planned it on every call.
   */
  async findLiveness(id: string): Promise<SessionLiveness | null> {
    const row = await this.liveness(id);
    if (!row) return null;
    return {
      revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
      expiresAt: Math.min(
        Number(row.expires_at),
        row.api_key_expires_at === null ? Infinity : Number(row.api_key_expires_at),
      ),
      apiKeyRevokedAt: row.api_key_revoked_at === null ? null : Number(row.api_key_revoked_at),
      userStatus: row.user_status,
    };
  }

  /** A user's sessions that are neither revoked nor past their absolute lifetime. */
  findActivePageOfUser(
    apiUserId: string,
    now: number,
    page: PageRequest,
  ): Promise<[SessionEntity[], number]> {
    return this.repo().findAndCount({
      where: { apiUserId, revokedAt: IsNull(), expiresAt: MoreThan(now) },
      order: { createdAt: 'DESC', id: 'DESC' },
      skip: page.offset,
      take: page.pageSize,
    });
  }

  /*
   * Every revocation of a session (logout, DELETE /sessions, reuse, OAuth revoke, a host's
   * revokeById, suspension, key revocation, and any later reason) goes through `revoke` or
   * `revokeWhere`, and each erases the revoked sessions' sealed successors in the same
   * transaction: a revoked session answers no retry, so nothing of it stays recoverable. The
   * one exception, an opening revoking its key's oldest session at the cap, is written by the
   * dialect's opening statement (session-writes.ts), which erases them the same way.
   */

  /** Revokes one session unless it already is; true when this call revoked it. */
  async revoke(
    id: string,
    reason: SessionRevocationReason,
    now: number,
    manager: EntityManager,
  ): Promise<boolean> {
    const result = await this.repo(manager).update(
      { id, revokedAt: IsNull() },
      { revokedAt: now, revokedReason: reason },
    );
    // Also when it was revoked already: a rotation racing the revocation may have sealed one.
    await this.refreshTokens.forgetSealedOfSessions([id], manager);
    return result.affected === 1;
  }

  /** Revokes every live session of an API user; returns the revoked sessions. */
  revokeAllOfUser(
    apiUserId: string,
    reason: SessionRevocationReason,
    now: number,
    manager: EntityManager,
  ): Promise<RevokedSession[]> {
    return this.revokeWhere({ apiUserId }, reason, now, manager);
  }

  /** Revokes every live session opened with an API key; returns the revoked sessions. */
  revokeAllOfApiKey(
    apiKeyId: string,
    reason: SessionRevocationReason,
    now: number,
    manager: EntityManager,
  ): Promise<RevokedSession[]> {
    return this.revokeWhere({ apiKeyId }, reason, now, manager);
  }

  private async revokeWhere(
    where: Partial<Pick<SessionEntity, 'apiUserId' | 'apiKeyId'>>,
    reason: SessionRevocationReason,
    now: number,
    manager: EntityManager,
  ): Promise<RevokedSession[]> {
    const repo = this.repo(manager);
    const live = await repo.find({
      select: { id: true, apiKeyId: true },
      where: { ...where, revokedAt: IsNull() },
    });
    if (live.length === 0) return [];
    await repo.update({ ...where, revokedAt: IsNull() }, { revokedAt: now, revokedReason: reason });
    await this.refreshTokens.forgetSealedOfSessions(
      live.map((session) => session.id),
      manager,
    );
    return live;
  }

  /**
   * One step of the clean-up's walk over sessions in key order: the next `limit` sessions after
   * `after`, and which of them can no longer matter (past their absolute lifetime, revoked
   * before `revokedBefore`, or with no refresh token alive after `idleBefore`). Going by key
   * keeps each step's work bounded however many sessions exist; on SQLite a query runs on the
   * event loop, and asking the whole table at once held it for seconds at a million sessions.
   */
  async disposableAfter(
    after: string,
    criteria: { now: number; revokedBefore: number; idleBefore: number },
    limit: number,
  ): Promise<{ last: string | null; disposable: string[] }> {
    const rows = await this.repo()
      .createQueryBuilder('s')
      .select('s.id', 'id')
      .addSelect(
        (this.disposableSql ??= authTableRenamer(this.dataSource)(DISPOSABLE_SQL)),
        'disposable',
      )
      .where('s.id > :after', { after })
      .setParameters(criteria)
      .orderBy('s.id')
      .limit(limit)
      .getRawMany<{ id: string; disposable: number | string }>();
    return {
      last: rows.at(-1)?.id ?? null,
      disposable: rows.filter((row) => Number(row.disposable) === 1).map((row) => row.id),
    };
  }

  /**
   * Up to `limit` of the key's live sessions beyond its newest `cap`, newest first: those a
   * trim of the key revokes (SessionsService.trimLater).
   */
  findLiveBeyondCap(
    apiKeyId: string,
    cap: number,
    now: number,
    limit: number,
  ): Promise<{ id: string; apiUserId: string }[]> {
    return this.repo()
      .createQueryBuilder('s')
      .select('s.id', 'id')
      .addSelect('s.api_user_id', 'apiUserId')
      .where('s.api_key_id = :apiKeyId AND s.revoked_at IS NULL AND s.expires_at > :now', {
        apiKeyId,
        now,
      })
      .orderBy('s.id', 'DESC')
      .offset(cap)
      .limit(limit)
      .getRawMany<{ id: string; apiUserId: string }>();
  }

  async deleteByIds(ids: string[], manager: EntityManager): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.repo(manager).createQueryBuilder().delete().whereInIds(ids).execute();
    return result.affected ?? 0;
  }
}

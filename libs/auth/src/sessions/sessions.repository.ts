import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { SessionEntity, type SessionRevocationReason } from './session.entity';

@Injectable()
export class SessionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(SessionEntity);
  }

  async insert(session: SessionEntity, manager: EntityManager): Promise<void> {
    await this.repo(manager).insert(session);
  }

  /** Revokes every live session of an API user; returns the revoked session ids. */
  revokeAllOfUser(
    apiUserId: string,
    reason: SessionRevocationReason,
    now: number,
    manager: EntityManager,
  ): Promise<string[]> {
    return this.revokeWhere({ apiUserId }, reason, now, manager);
  }

  /** Revokes every live session opened with an API key; returns the revoked session ids. */
  revokeAllOfApiKey(
    apiKeyId: string,
    reason: SessionRevocationReason,
    now: number,
    manager: EntityManager,
  ): Promise<string[]> {
    return this.revokeWhere({ apiKeyId }, reason, now, manager);
  }

  private async revokeWhere(
    where: Partial<Pick<SessionEntity, 'apiUserId' | 'apiKeyId'>>,
    reason: SessionRevocationReason,
    now: number,
    manager: EntityManager,
  ): Promise<string[]> {
    const repo = this.repo(manager);
    const live = await repo.find({
      select: { id: true },
      where: { ...where, revokedAt: IsNull() },
    });
    if (live.length === 0) return [];
    await repo.update({ ...where, revokedAt: IsNull() }, { revokedAt: now, revokedReason: reason });
    return live.map((session) => session.id);
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { PageRequest } from '../common/pagination';
import { deleteAtMost } from '../database/delete-at-most';
import { AuditEventEntity } from './audit-event.entity';

@Injectable()
export class AuditEventsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(AuditEventEntity);
  }

  async insert(events: AuditEventEntity[], manager: EntityManager): Promise<void> {
    if (events.length > 0) await this.repo(manager).insert(events);
  }

  /** Deletes at most `limit` events created before `cutoff` (by ix_audit_events_created_at). */
  deleteSomeCreatedBefore(cutoff: number, limit: number, manager: EntityManager): Promise<number> {
    return deleteAtMost(this.repo(manager), 'id', 'row.created_at < :cutoff', { cutoff }, limit);
  }

  async rewriteData(id: string, data: string, manager: EntityManager): Promise<void> {
    await this.repo(manager).update({ id }, { data });
  }

  /** A user's events, newest first (ids are time-ordered, so they break ties within a millisecond). */
  findPageOfUser(apiUserId: string, page: PageRequest): Promise<[AuditEventEntity[], number]> {
    return this.repo().findAndCount({
      where: { apiUserId },
      order: { createdAt: 'DESC', id: 'DESC' },
      skip: page.offset,
      take: page.pageSize,
    });
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { uuidv7Floor } from '../common/ids';
import type { PageRequest } from '../common/pagination';
import { deleteAtMost } from '../database/delete-at-most';
import { captureSecurityEvents } from '../security-events/outbox-capture';
import { AuditEventEntity } from './audit-event.entity';

@Injectable()
export class AuditEventsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(AuditEventEntity);
  }

  /** Writes events, and copies the security events among them to the outbox. */
  async insert(events: AuditEventEntity[], manager: EntityManager): Promise<void> {
    if (events.length === 0) return;
    await this.repo(manager).insert(events);
    await captureSecurityEvents(events, manager);
  }

  /**
   * Deletes at most `limit` events created before `cutoff`. Ids are UUIDv7, made when the event
   * is: the range below `cutoff`'s smallest id is read through the primary key, so no index on
   * `created_at` has to be kept up on every token request. `created_at` stays in the condition,
   * so an id minted on a clock that disagreed with the stored time never deletes a newer event.
   */
  deleteSomeCreatedBefore(cutoff: number, limit: number, manager: EntityManager): Promise<number> {
    return deleteAtMost(
      this.repo(manager),
      'id',
      'row.id < :floor AND row.created_at < :cutoff',
      { floor: uuidv7Floor(cutoff), cutoff },
      limit,
    );
  }

  async rewriteData(id: string, data: string, manager: EntityManager): Promise<void> {
    await this.repo(manager).update({ id }, { data });
  }

  /**
   * Events created at or after `since`, oldest first, `limit` at a time: the next batch starts
   * after the last id of the previous one (ids are UUIDv7, so their order is creation order).
   */
  findBatchSince(
    since: number,
    afterId: string | null,
    limit: number,
  ): Promise<AuditEventEntity[]> {
    const query = this.repo()
      .createQueryBuilder('row')
      .where('row.id >= :floor AND row.created_at >= :since', {
        floor: uuidv7Floor(since),
        since,
      });
    if (afterId !== null) query.andWhere('row.id > :afterId', { afterId });
    return query.orderBy('row.id', 'ASC').limit(limit).getMany();
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

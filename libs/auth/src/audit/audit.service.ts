import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { nowMs } from '../common/clock';
import { uuidv7 } from '../common/ids';
import type { PageRequest } from '../common/pagination';
import { UnitOfWork } from '../database/unit-of-work';
import { AuditEventEntity, type AuditEventType } from './audit-event.entity';
import { AuditEventsRepository } from './audit-events.repository';

export interface AuditEventInput {
  type: AuditEventType;
  apiUserId?: string | null;
  sessionId?: string | null;
  apiKeyId?: string | null;
  ip?: string | null;
  /** Event specifics. Never put a secret or a token here. */
  data?: Record<string, string | number | boolean | null>;
}

@Injectable()
export class AuditService {
  constructor(
    private readonly events: AuditEventsRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  /** Records events inside the caller's transaction, so they commit or vanish with it. */
  async record(manager: EntityManager, ...inputs: AuditEventInput[]): Promise<void> {
    const createdAt = nowMs();
    await this.events.insert(
      inputs.map((input) => toAuditEvent(input, createdAt)),
      manager,
    );
  }

  /** Records an event on its own, for outcomes (such as a failure) that have no transaction. */
  recordAlone(input: AuditEventInput): Promise<void> {
    return this.unitOfWork.write((manager) => this.record(manager, input));
  }

  /** Writes an event built by `toAuditEvent` on its own (its writer needs to know the id). */
  insertAlone(event: AuditEventEntity): Promise<void> {
    return this.unitOfWork.write((manager) => this.events.insert([event], manager));
  }

  /** Replaces the specifics of a recorded event (an aggregated event's running count). */
  rewriteData(id: string, data: NonNullable<AuditEventInput['data']>): Promise<void> {
    return this.unitOfWork.write((manager) =>
      this.events.rewriteData(id, JSON.stringify(data), manager),
    );
  }

  /** Deletes at most `limit` events created before `cutoff`, in one transaction; returns how many. */
  deleteSomeCreatedBefore(cutoff: number, limit: number): Promise<number> {
    return this.unitOfWork.transaction((manager) =>
      this.events.deleteSomeCreatedBefore(cutoff, limit, manager),
    );
  }

  /** Every event created at or after `since`, oldest first, read in batches (an export). */
  async *eventsSince(since: number, batchSize = 500): AsyncGenerator<AuditEventEntity> {
    let afterId: string | null = null;
    for (;;) {
      const batch = await this.events.findBatchSince(since, afterId, batchSize);
      yield* batch;
      if (batch.length < batchSize) return;
      afterId = batch[batch.length - 1].id;
    }
  }

  findPageOfUser(apiUserId: string, page: PageRequest): Promise<[AuditEventEntity[], number]> {
    return this.events.findPageOfUser(apiUserId, page);
  }
}

/** The row an event becomes; also used by writers that insert it with their own statements. */
export function toAuditEvent(input: AuditEventInput, createdAt: number): AuditEventEntity {
  const entity = new AuditEventEntity();
  entity.id = uuidv7();
  entity.type = input.type;
  entity.apiUserId = input.apiUserId ?? null;
  entity.sessionId = input.sessionId ?? null;
  entity.apiKeyId = input.apiKeyId ?? null;
  // Column width bounds what an attacker-controlled header value could store.
  entity.ip = input.ip ? input.ip.slice(0, 64) : null;
  entity.data = input.data ? JSON.stringify(input.data) : null;
  entity.createdAt = createdAt;
  return entity;
}

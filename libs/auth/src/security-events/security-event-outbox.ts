import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { UnitOfWork } from '../database/unit-of-work';
import type { SecurityEvent, SecurityEventType } from './security-event';
import { SecurityEventOutboxEntity } from './security-event-outbox.entity';

/** A row claimed for delivery: `attempts` counts this attempt. */
export interface ClaimedEvent {
  event: SecurityEvent;
  createdAt: number;
  attempts: number;
}

interface OutboxRow {
  id: string;
  type: string;
  api_user_id: string | null;
  session_id: string | null;
  api_key_id: string | null;
  ip: string | null;
  data: string | null;
  created_at: string | number;
  attempts: number;
}

/**
 * The outbox's queries. A claim takes due rows and moves their `next_attempt_at` to the end
 * of a lease in one statement: while the lease runs no other relay (another instance) takes
 * them, and should this one die mid-delivery they come due again when it ends. Of a session's
 * events only the oldest still in the outbox can be claimed, so a session's events go out in
 * order, one after the other. On PostgreSQL the rows are picked `FOR UPDATE SKIP LOCKED`: two
 * instances claiming at once take different rows, and neither waits for the other.
 */
@Injectable()
export class SecurityEventOutbox {
  private statements?: { claim: string; remove: string; drop: string; reschedule: string };
  private readonly postgres: boolean;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
  ) {
    this.postgres = dataSource.options.type === 'postgres';
  }

  async claimDue(now: number, leaseUntil: number, limit: number): Promise<ClaimedEvent[]> {
    const { claim } = this.sql();
    const result = await this.unitOfWork.transaction((manager) =>
      manager.query<unknown[]>(claim, [leaseUntil, now, limit]),
    );
    // TypeORM answers an UPDATE … RETURNING with [rows, count] on PostgreSQL, rows on SQLite.
    const rows = (this.postgres ? result[0] : result) as OutboxRow[];
    return rows
      .map((row) => ({
        event: toSecurityEvent(row),
        createdAt: Number(row.created_at),
        attempts: Number(row.attempts),
      }))
      .sort((a, b) => (a.event.id < b.event.id ? -1 : 1));
  }

  /** Deletes these rows (delivered, or given up on) in one statement. */
  async remove(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.unitOfWork.write((manager) =>
      manager.query(this.sql().remove, [JSON.stringify(ids)]),
    );
  }

  /**
   * With nowhere to deliver them: deletes up to `limit` rows, oldest first, in one statement,
   * and says how many it deleted.
   */
  async drop(limit: number): Promise<number> {
    const result = await this.unitOfWork.write((manager) =>
      manager.query<unknown[]>(this.sql().drop, [limit]),
    );
    return ((this.postgres ? result[0] : result) as unknown[]).length;
  }

  async reschedule(id: string, at: number): Promise<void> {
    await this.unitOfWork.write((manager) => manager.query(this.sql().reschedule, [at, id]));
  }

  /** The statements, with the table's name as the data source has it (a host's prefix). */
  private sql(): { claim: string; remove: string; drop: string; reschedule: string } {
    if (this.statements) return this.statements;
    const table = `"${this.dataSource.getMetadata(SecurityEventOutboxEntity).tableName}"`;
    const p = this.postgres ? (n: number) => `$${n}` : () => '?';
    this.statements = {
      claim: `UPDATE ${table} SET next_attempt_at = ${p(1)}, attempts = attempts + 1
        WHERE id IN (
          SELECT w.id FROM ${table} w
          WHERE w.next_attempt_at <= ${p(2)}
            AND NOT EXISTS (
              SELECT 1 FROM ${table} e WHERE e.session_id = w.session_id AND e.id < w.id)
          ORDER BY w.id LIMIT ${p(3)}
          ${this.postgres ? 'FOR UPDATE SKIP LOCKED' : ''})
        RETURNING id, type, api_user_id, session_id, api_key_id, ip, data, created_at, attempts`,
      // The ids as one JSON array parameter: one statement whatever their number.
      remove: this.postgres
        ? `DELETE FROM ${table} WHERE id IN (SELECT json_array_elements_text($1::json))`
        : `DELETE FROM ${table} WHERE id IN (SELECT value FROM json_each(?))`,
      drop: `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} ORDER BY id LIMIT ${p(1)})
        RETURNING id`,
      reschedule: `UPDATE ${table} SET next_attempt_at = ${p(1)} WHERE id = ${p(2)}`,
    };
    return this.statements;
  }
}

function toSecurityEvent(row: OutboxRow): SecurityEvent {
  const details = row.data
    ? (JSON.parse(row.data) as Record<string, string | number | boolean | null>)
    : {};
  return {
    id: row.id,
    type: row.type as SecurityEventType,
    timestamp: new Date(Number(row.created_at)).toISOString(),
    data: {
      ...details,
      api_user_id: row.api_user_id,
      session_id: row.session_id,
      api_key_id: row.api_key_id,
      ip: row.ip,
    },
  };
}

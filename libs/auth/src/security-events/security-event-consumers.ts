import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { UnitOfWork } from '../database/unit-of-work';
import { SecurityEventConsumerEntity } from './security-event-consumer.entity';

/**
 * The instances that deliver security events, as rows of `security_event_consumers`. The
 * writers copy events to the outbox only while a row exists, and an instance with nowhere to
 * deliver drops the outbox's rows only while none does: on a database shared with an instance
 * that has a webhook, they are that instance's to deliver.
 */
@Injectable()
export class SecurityEventConsumers {
  /** This process's row: a restart makes a new one, and the old one expires (forgetUnseenSince). */
  readonly instanceId = randomUUID();
  private statements?: { seen: string; forget: string; any: string };

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  /** Records that this instance delivers events, as of `now`. */
  async seen(now: number): Promise<void> {
    await this.unitOfWork.write((manager) =>
      manager.query(this.sql().seen, [this.instanceId, now]),
    );
  }

  /** Removes the instances unseen since `before`. */
  async forgetUnseenSince(before: number): Promise<void> {
    await this.unitOfWork.write((manager) => manager.query(this.sql().forget, [before]));
  }

  /** Whether any instance delivers events. */
  async any(): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(this.sql().any);
    return rows.length > 0;
  }

  /** The statements, with the table's name as the data source has it (a host's prefix). */
  private sql(): { seen: string; forget: string; any: string } {
    if (this.statements) return this.statements;
    const table = `"${this.dataSource.getMetadata(SecurityEventConsumerEntity).tableName}"`;
    const p = this.dataSource.options.type === 'postgres' ? (n: number) => `$${n}` : () => '?';
    this.statements = {
      seen: `INSERT INTO ${table} (instance_id, seen_at) VALUES (${p(1)}, ${p(2)})
        ON CONFLICT (instance_id) DO UPDATE SET seen_at = excluded.seen_at`,
      forget: `DELETE FROM ${table} WHERE seen_at < ${p(1)}`,
      any: `SELECT 1 FROM ${table} LIMIT 1`,
    };
    return this.statements;
  }
}

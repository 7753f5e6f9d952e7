import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '../database/columns';

/**
 * Security events waiting for delivery. Rows are written with their audit events, in the
 * transaction that records them (see captureSecurityEvents), and deleted once delivered (or
 * given up on).
 */
@Entity('security_event_outbox')
@Index('ix_security_event_outbox_due', ['nextAttemptAt'])
@Index('ix_security_event_outbox_session', ['sessionId', 'id'])
export class SecurityEventOutboxEntity {
  /** The audit event's id (UUIDv7: creation order). */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 64 })
  type: string;

  @Column({ name: 'api_user_id', type: 'varchar', length: 36, nullable: true })
  apiUserId: string | null;

  @Column({ name: 'session_id', type: 'varchar', length: 36, nullable: true })
  sessionId: string | null;

  @Column({ name: 'api_key_id', type: 'varchar', length: 32, nullable: true })
  apiKeyId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  @Column({ type: 'text', nullable: true })
  data: string | null;

  @EpochColumn({ name: 'created_at' })
  createdAt: number;

  /** Due from then; while a delivery is in flight, the end of its lease. */
  @EpochColumn({ name: 'next_attempt_at' })
  nextAttemptAt: number;

  @Column({ type: 'integer', default: 0 })
  attempts: number;
}

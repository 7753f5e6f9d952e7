import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '../database/columns';

export const AUDIT_EVENT_TYPES = [
  'api_user.created',
  'api_user.registered',
  'api_user.registration_token_issued',
  'api_user.suspended',
  'api_user.reactivated',
  'api_key.created',
  'api_key.revoked',
  'token.issued',
  'token.refreshed',
  'refresh_token.reused',
  'session.revoked',
  'auth.failed',
  'signing_key.rotated',
  'signing_key.revoked',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

@Entity('audit_events')
@Index('ix_audit_events_api_user_created', ['apiUserId', 'createdAt'])
export class AuditEventEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 64 })
  type: AuditEventType;

  @Column({ name: 'api_user_id', type: 'varchar', length: 36, nullable: true })
  apiUserId: string | null;

  @Column({ name: 'session_id', type: 'varchar', length: 36, nullable: true })
  sessionId: string | null;

  @Column({ name: 'api_key_id', type: 'varchar', length: 32, nullable: true })
  apiKeyId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  /** Small JSON object of event specifics; never a secret or token. */
  @Column({ type: 'text', nullable: true })
  data: string | null;

  @EpochColumn({ name: 'created_at' })
  createdAt: number;
}

import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '../database/columns';
import { ApiUserEntity } from '../api-users/api-user.entity';

export const SESSION_REVOCATION_REASONS = [
  'logout',
  'revoked',
  'refresh_token_reused',
  'api_key_revoked',
  'api_user_suspended',
  /** The key opened more than its cap of live sessions; this was its oldest. */
  'session_limit',
] as const;
export type SessionRevocationReason = (typeof SESSION_REVOCATION_REASONS)[number];

@Entity('sessions')
/** A key's unrevoked sessions in creation order, for the session cap (see the bounded-growth migration). */
@Index('ix_sessions_api_key_live', ['apiKeyId', 'id', 'expiresAt', 'revokedAt'], {
  where: 'revoked_at IS NULL',
})
export class SessionEntity {
  /** Also the `session_state` of token responses and the `sid` claim. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('ix_sessions_api_user_id')
  @Column({ name: 'api_user_id', type: 'varchar', length: 36 })
  apiUserId: string;

  @ManyToOne(() => ApiUserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'api_user_id', foreignKeyConstraintName: 'fk_sessions_api_user' })
  apiUser?: ApiUserEntity;

  /** The API key that opened the session; revoking the key revokes the session. */
  @Column({ name: 'api_key_id', type: 'varchar', length: 32 })
  apiKeyId: string;

  @EpochColumn({ name: 'created_at' })
  createdAt: number;

  /** Absolute end of the session, never renewed by rotation. */
  @Index('ix_sessions_expires_at')
  @EpochColumn({ name: 'expires_at' })
  expiresAt: number;

  @EpochColumn({ name: 'revoked_at', nullable: true })
  revokedAt: number | null;

  @Column({ name: 'revoked_reason', type: 'varchar', length: 32, nullable: true })
  revokedReason: SessionRevocationReason | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  /** The scopes granted at the opening, space-separated, kept across refreshes; null: none asked of a key without scopes. */
  @Column({ type: 'text', nullable: true })
  scope: string | null;

  /**
   * The resource (RFC 8707) asked for at the opening, the `aud` of the session's access
   * tokens, kept across refreshes; null: none asked, the module's `audience`.
   */
  @Column({ type: 'text', nullable: true })
  audience: string | null;
}

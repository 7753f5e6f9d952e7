import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '../database/columns';
import { ApiUserEntity } from './api-user.entity';

@Entity('api_keys')
export class ApiKeyEntity {
  /** The public `api_key_id`. */
  @PrimaryColumn({ type: 'varchar', length: 32 })
  id: string;

  @Index('ix_api_keys_api_user_id')
  @Column({ name: 'api_user_id', type: 'varchar', length: 36 })
  apiUserId: string;

  @ManyToOne(() => ApiUserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'api_user_id', foreignKeyConstraintName: 'fk_api_keys_api_user' })
  apiUser?: ApiUserEntity;

  /** SHA-256 of `api_key_secret`; the secret itself is never stored. */
  @Column({ name: 'secret_hash', type: 'varchar', length: 64 })
  secretHash: string;

  /** A label for people (up to 100 characters); not unique. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  name: string | null;

  /** The scopes its tokens may carry, space-separated; null: no restriction (the role's). */
  @Column({ type: 'text', nullable: true })
  scopes: string | null;

  /** Refused from then on, like a revoked key; null: never. */
  @EpochColumn({ name: 'expires_at', nullable: true })
  expiresAt: number | null;

  /** The CIDRs it may be used from, space-separated (see address-allow-list.ts); null: any. */
  @Column({ name: 'allowed_cidrs', type: 'text', nullable: true })
  allowedCidrs: string | null;

  /** The last exchange or refresh with it, to within a minute (see KeyUsageRecorder). */
  @EpochColumn({ name: 'last_used_at', nullable: true })
  lastUsedAt: number | null;

  @EpochColumn({ name: 'created_at' })
  createdAt: number;

  @EpochColumn({ name: 'revoked_at', nullable: true })
  revokedAt: number | null;
}

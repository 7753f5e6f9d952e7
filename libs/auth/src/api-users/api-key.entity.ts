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

  @EpochColumn({ name: 'created_at' })
  createdAt: number;

  @EpochColumn({ name: 'revoked_at', nullable: true })
  revokedAt: number | null;
}

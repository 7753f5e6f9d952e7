import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '../../database/columns';

/** A seed-004 wallet token: single use, so each one's use is recorded where every instance sees it. */
@Entity('wallet_tokens')
export class WalletTokenEntity {
  /** The token's `jti`. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('ix_wallet_tokens_session_id')
  @Column({ name: 'session_id', type: 'varchar', length: 36 })
  sessionId: string;

  @EpochColumn({ name: 'created_at' })
  createdAt: number;

  @Index('ix_wallet_tokens_expires_at')
  @EpochColumn({ name: 'expires_at' })
  expiresAt: number;

  /** Set by the one request that uses the token. */
  @EpochColumn({ name: 'used_at', nullable: true })
  usedAt: number | null;
}

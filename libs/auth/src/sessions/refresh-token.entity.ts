import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '../database/columns';

/**
 * One link of a session's refresh-token chain. The token itself is never stored: only its key,
 * its issue instant followed by its SHA-256 (see refresh-token-key.ts).
 */
@Entity('refresh_tokens')
// A rotation erases the sealed copy one link back by (session, generation): with the session
// alone, each rotation would read every earlier link of its chain.
@Index('ix_refresh_tokens_session_generation', ['sessionId', 'generation'])
export class RefreshTokenEntity {
  /** `refreshTokenKey(token)`: 55 characters, or 64 for a token issued before keys carried time. */
  @PrimaryColumn({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  /**
   * No foreign key: a link is only ever written together with its session (the session's
   * opening) or for a session that the rotation's UPDATE has just joined and found live, and
   * the clean-up deletes a session's links itself. PostgreSQL checked the key on every
   * rotation by locking the session's row, a quarter of the rotation's cost in the database
   * (see the migration that dropped it).
   */
  @Column({ name: 'session_id', type: 'varchar', length: 36 })
  sessionId: string;

  /** Position in the chain: 0 for the token issued with the session. */
  @Column({ type: 'integer' })
  generation: number;

  @EpochColumn({ name: 'created_at' })
  createdAt: number;

  /** Idle expiry: a token unused until then is expired. */
  @EpochColumn({ name: 'expires_at' })
  expiresAt: number;

  /** Set once, by the single exchange that wins this token. */
  @EpochColumn({ name: 'consumed_at', nullable: true })
  consumedAt: number | null;

  /** Key of the token that exchange issued: the next link of the chain. */
  @Column({ name: 'successor_hash', type: 'varchar', length: 64, nullable: true })
  successorHash: string | null;

  /**
   * The successor itself, sealed (AES-256-GCM) so a retry within the grace window can be
   * answered with the same token. Only written when a grace window is configured, and erased
   * once the window has passed or the successor is used.
   */
  @Column({ name: 'successor_sealed', type: 'text', nullable: true })
  successorSealed: string | null;
}

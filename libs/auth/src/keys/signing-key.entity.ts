import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '../database/columns';

/**
 * `next`: published, not signing yet (so every verifier knows it before its first token);
 * `active`: signs (exactly one, enforced by a partial unique index);
 * `retired`: published until every token it signed has expired;
 * `revoked`: withdrawn at once, never published or trusted again.
 */
export const SIGNING_KEY_STATUSES = ['next', 'active', 'retired', 'revoked'] as const;
export type SigningKeyStatus = (typeof SIGNING_KEY_STATUSES)[number];

/** An access-token signing key, shared by every instance that uses the same database. */
@Entity('signing_keys')
// The database itself refuses a second active key, whichever instance tries to make one.
@Index('uq_signing_keys_active', ['status'], { unique: true, where: `status = 'active'` })
export class SigningKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  kid: string;

  @Column({ type: 'varchar', length: 16 })
  algorithm: string;

  @Column({ type: 'varchar', length: 16 })
  status: SigningKeyStatus;

  /** The public half as a JWK (JSON), as published at /.well-known/jwks.json. */
  @Column({ name: 'public_jwk', type: 'text' })
  publicJwk: string;

  /** The PKCS#8 PEM in its AES-256-GCM envelope (key-encryption.ts); never in clear. */
  @Column({ name: 'private_key', type: 'text' })
  privateKey: string;

  @EpochColumn({ name: 'created_at' })
  createdAt: number;

  @EpochColumn({ name: 'activated_at', nullable: true })
  activatedAt: number | null;

  /** When set, the key no longer signs but stays published until its tokens have expired. */
  @EpochColumn({ name: 'retired_at', nullable: true })
  retiredAt: number | null;

  @EpochColumn({ name: 'revoked_at', nullable: true })
  revokedAt: number | null;
}

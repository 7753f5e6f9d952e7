import { Column, Entity, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '../database/columns';

/** An access-token signing key, shared by every instance that uses the same database. */
@Entity('signing_keys')
export class SigningKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  kid: string;

  @Column({ type: 'varchar', length: 16 })
  algorithm: string;

  /** The public half as a JWK (JSON), as published at /.well-known/jwks.json. */
  @Column({ name: 'public_jwk', type: 'text' })
  publicJwk: string;

  /** PKCS#8 PEM, or its AES-256-GCM envelope when a key-encryption secret is configured. */
  @Column({ name: 'private_key', type: 'text' })
  privateKey: string;

  @EpochColumn({ name: 'created_at' })
  createdAt: number;

  /** When set, the key no longer signs but stays published until its tokens have expired. */
  @EpochColumn({ name: 'retired_at', nullable: true })
  retiredAt: number | null;
}

import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '../database/columns';

/** A client application: its secret authenticates the wallet-refresh profile's `x-client-secret` header. */
@Entity('clients')
export class ClientEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  id: string;

  @Index('uq_clients_name', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  name: string;

  /** SHA-256 of `client_secret`, unique so a presented secret is found by its hash alone. */
  @Index('uq_clients_secret_hash', { unique: true })
  @Column({ name: 'secret_hash', type: 'varchar', length: 64 })
  secretHash: string;

  @EpochColumn({ name: 'created_at' })
  createdAt: number;
}

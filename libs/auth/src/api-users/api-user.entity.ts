import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '../database/columns';
import type { Role } from '../common/principal';

export const API_USER_STATUSES = ['pending', 'active', 'suspended'] as const;
export type ApiUserStatus = (typeof API_USER_STATUSES)[number];

@Entity('api_users')
export class ApiUserEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('uq_api_users_name', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  name: string;

  @Column({ type: 'varchar', length: 16 })
  role: Role;

  @Column({ type: 'varchar', length: 16 })
  status: ApiUserStatus;

  /** SHA-256 of the one-time registration token; cleared when it is spent. */
  @Index('uq_api_users_registration_token_hash', { unique: true })
  @Column({ name: 'registration_token_hash', type: 'varchar', length: 64, nullable: true })
  registrationTokenHash: string | null;

  /** When the registration token stops working; cleared with it. */
  @EpochColumn({ name: 'registration_token_expires_at', nullable: true })
  registrationTokenExpiresAt: number | null;

  @EpochColumn({ name: 'created_at' })
  createdAt: number;

  @EpochColumn({ name: 'updated_at' })
  updatedAt: number;
}

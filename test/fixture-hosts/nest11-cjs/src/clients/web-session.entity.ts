import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The host's web sessions: its own `sessions` table. */
@Entity('sessions')
export class Session {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  sid: string;

  @Column({ type: 'text' })
  data: string;

  @Column({ name: 'expires_at', type: 'datetime' })
  expiresAt: Date;
}

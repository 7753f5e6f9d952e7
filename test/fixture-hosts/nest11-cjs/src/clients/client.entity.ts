import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** The host's customers: its own `clients` table, nothing to do with the auth library's. */
@Entity('clients')
export class Client {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 120 })
  company: string;

  @Column({ name: 'vat_number', type: 'varchar', length: 32, nullable: true })
  vatNumber: string | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;
}

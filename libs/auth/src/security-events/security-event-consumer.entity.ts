import { Entity, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '../database/columns';

/**
 * Instances that deliver security events (a webhook or a host handler, and the relay on), one
 * row each. Writers copy an event to the outbox only while this table has a row: with no one
 * to deliver to, nothing is written for it. A row outlives its instance's restarts and is
 * removed once unseen for the events' maximum age (see SecurityEventConsumers).
 */
@Entity('security_event_consumers')
export class SecurityEventConsumerEntity {
  @PrimaryColumn({ name: 'instance_id', type: 'varchar', length: 36 })
  instanceId: string;

  /** When the instance last said it was there. */
  @EpochColumn({ name: 'seen_at' })
  seenAt: number;
}

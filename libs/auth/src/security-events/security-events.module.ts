import { Module } from '@nestjs/common';
import { SecurityEventConsumers } from './security-event-consumers';
import { SecurityEventOutbox } from './security-event-outbox';
import { SecurityEventsRelay } from './security-events-relay.service';

/** The outbox of security events and the relay that delivers them. */
@Module({
  providers: [SecurityEventOutbox, SecurityEventConsumers, SecurityEventsRelay],
})
export class SecurityEventsModule {}

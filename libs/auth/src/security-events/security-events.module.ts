import { Module } from '@nestjs/common';
import { SecurityEventOutbox } from './security-event-outbox';
import { SecurityEventsRelay } from './security-events-relay.service';

/** The outbox of security events and the relay that delivers them. */
@Module({
  providers: [SecurityEventOutbox, SecurityEventsRelay],
})
export class SecurityEventsModule {}

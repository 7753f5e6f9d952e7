import type { EntityManager } from 'typeorm';
import type { AuditEventEntity } from '../audit/audit-event.entity';
import { isSecurityEventType } from './security-event';
import { SecurityEventConsumerEntity } from './security-event-consumer.entity';
import { SecurityEventOutboxEntity } from './security-event-outbox.entity';

/**
 * Copies the security events among audit events just written into the outbox, in the same
 * transaction, while some instance delivers them (a row in `security_event_consumers`): with
 * no webhook and no handler anywhere a copy would only be dropped.
 *
 * Every writer of audit events does this: AuditEventsRepository for the ORM's writes, and the
 * session cap's revocation in the hot path's own statements (the other hot-path events, tokens
 * issued and refreshed, are not security events). Until round 18 a trigger on `audit_events`
 * did it, which every audit row paid for, each token request's and refresh's included: 3-4 %
 * of their CPU, for the few rows it copied.
 */
export async function captureSecurityEvents(
  events: readonly AuditEventEntity[],
  manager: EntityManager,
): Promise<void> {
  const security = events.filter((event) => isSecurityEventType(event.type));
  if (security.length === 0) return;
  if (!(await manager.getRepository(SecurityEventConsumerEntity).exists())) return;
  await manager.getRepository(SecurityEventOutboxEntity).insert(
    security.map((event) => ({
      id: event.id,
      type: event.type,
      apiUserId: event.apiUserId,
      sessionId: event.sessionId,
      apiKeyId: event.apiKeyId,
      ip: event.ip,
      data: event.data,
      createdAt: event.createdAt,
      nextAttemptAt: event.createdAt,
    })),
  );
}

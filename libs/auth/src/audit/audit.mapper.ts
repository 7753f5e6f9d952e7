import { toIso } from '../common/clock';
import type { AuditEventEntity } from './audit-event.entity';
import type { AuditEventDto } from './dto/audit-event.dto';

export function toAuditEventDto(event: AuditEventEntity): AuditEventDto {
  return {
    id: event.id,
    type: event.type,
    created_at: toIso(event.createdAt) as string,
    api_user_id: event.apiUserId,
    session_id: event.sessionId,
    api_key_id: event.apiKeyId,
    ip: event.ip,
    data: event.data ? (JSON.parse(event.data) as Record<string, unknown>) : null,
  };
}

import { ApiProperty } from '@nestjs/swagger';
import { AUDIT_EVENT_TYPES, type AuditEventType } from '../audit-event.entity';

export class AuditEventDto {
  /** @example 019a8f2e-5c1d-7a3b-9c4d-2e8f6a1b3c5d */
  id: string;

  @ApiProperty({ enum: AUDIT_EVENT_TYPES, example: 'token.issued' })
  type: AuditEventType;

  /** @example 2026-11-22T12:00:00.000Z */
  created_at: string;

  api_user_id: string | null;

  /** The session concerned, where one applies. */
  session_id: string | null;

  /** The API key concerned, where one applies. */
  api_key_id: string | null;

  /** Client IP address of the request that caused the event. */
  ip: string | null;

  /** Event specifics, such as the reason of a failure. */
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  data: Record<string, unknown> | null;
}

import type { AuditEventType } from '../audit/audit-event.entity';

/**
 * The audit events that are security events: copied to the outbox in the transaction that
 * records them (see captureSecurityEvents), then delivered to the webhook and to the host's
 * `onSecurityEvent`.
 */
export const SECURITY_EVENT_TYPES = [
  'refresh_token.reused',
  'session.revoked',
  'api_key.created',
  'api_key.revoked',
  'api_user.suspended',
  'signing_key.rotated',
  'signing_key.revoked',
] as const satisfies readonly AuditEventType[];

export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[number];

const SECURITY_TYPES: ReadonlySet<string> = new Set(SECURITY_EVENT_TYPES);

export function isSecurityEventType(type: string): type is SecurityEventType {
  return SECURITY_TYPES.has(type);
}

/**
 * A security event as the webhook's body carries it (the Standard Webhooks shape: `type`,
 * `timestamp`, `data`) and as `onSecurityEvent` receives it. `id` is the audit event's id:
 * the same on every delivery of the event (the `webhook-id`), so a receiver can drop repeats.
 */
export interface SecurityEvent {
  id: string;
  type: SecurityEventType;
  /** When the event happened (ISO 8601). */
  timestamp: string;
  data: {
    api_user_id: string | null;
    session_id: string | null;
    api_key_id: string | null;
    ip: string | null;
    /** The audit event's specifics (a revocation's `reason`, a key's `kid`…). */
    [detail: string]: string | number | boolean | null;
  };
}

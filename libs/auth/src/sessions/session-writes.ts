import type { AuditEventEntity } from '../audit/audit-event.entity';
import type { ExchangeCandidate } from './exchange-candidate';

/** Everything one rotation writes, in the order it is written. */
export interface RotationWrite {
  predecessorHash: string;
  consumedAt: number;
  successor: {
    tokenHash: string;
    sessionId: string;
    generation: number;
    createdAt: number;
    expiresAt: number;
  };
  successorSealed: string | null;
  /** Erase the sealed successor held by this generation (grace window in use). */
  forgetSealedOfGeneration?: number;
  /** The audit row, as `toAuditEvent` builds it. */
  audit: Pick<
    AuditEventEntity,
    'id' | 'type' | 'apiUserId' | 'sessionId' | 'apiKeyId' | 'ip' | 'data' | 'createdAt'
  >;
}

/** What opening a session writes: the session, generation 0 of its chain, the audit event. */
export interface SessionOpeningWrite {
  session: {
    id: string;
    apiUserId: string;
    apiKeyId: string;
    createdAt: number;
    expiresAt: number;
    ip: string | null;
  };
  firstToken: RotationWrite['successor'];
  audit: RotationWrite['audit'];
}

/**
 * The sessions' hot path (every token request and every refresh), written per dialect as raw
 * statements: one read of the exchange candidate, one atomic write per rotation or opening.
 * In both dialects the winner of concurrent rotations of one token is decided by the
 * conditional UPDATE (`... WHERE consumed_at IS NULL`) inside that one write.
 */
export interface SessionStatements {
  findCandidate(tokenHash: string): Promise<ExchangeCandidate | null>;
  /** True when this call consumed the predecessor (and wrote the successor and audit event). */
  rotate(write: RotationWrite): Promise<boolean>;
  /** Writes a new session, its first refresh token and its audit event, atomically. */
  openSession(write: SessionOpeningWrite): Promise<void>;
}

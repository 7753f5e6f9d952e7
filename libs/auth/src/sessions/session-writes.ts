import type { AuditEventEntity } from '../audit/audit-event.entity';
import type { ExchangeCandidate } from './exchange-candidate';

/** A link of a session's chain, as written when it is issued. */
export interface ChainLink {
  tokenHash: string;
  sessionId: string;
  generation: number;
  createdAt: number;
  expiresAt: number;
}

/** An audit row, as `toAuditEvent` builds it. */
export type AuditRow = Pick<
  AuditEventEntity,
  'id' | 'type' | 'apiUserId' | 'sessionId' | 'apiKeyId' | 'ip' | 'data' | 'createdAt'
>;

/**
 * One exchange's rotation, with everything that does not depend on the presented token's row:
 * the statement reads that row, checks it and writes in one go (see rotateIfAllowed).
 */
export interface RotationAttempt {
  presentedHash: string;
  /** The exchange's instant: the checks, the consumption, the successor and the audit event. */
  now: number;
  successorHash: string;
  successorSealed: string | null;
  /** The successor lives this long, or until the session ends if that is sooner. */
  successorTtlMs: number;
  /** Erase the sealed successor held one link back (a grace window is in use). */
  forgetSealed: boolean;
  /** Only a token of this API key may be rotated (an OAuth client refreshes its own only). */
  onlyForApiKey: string | null;
  /** The `token.refreshed` event's id and ip, as `toAuditEvent` made them. */
  auditId: string;
  auditIp: string | null;
}

/** What a won rotation tells about the chain it extended: the consumed link's row. */
export type RotatedChain = Pick<
  ExchangeCandidate,
  'sessionId' | 'apiUserId' | 'apiKeyId' | 'role' | 'generation'
>;

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
  firstToken: ChainLink;
  audit: AuditRow;
  /**
   * The key's cap on live sessions (0: none). The write answers the ids of the key's live
   * sessions beyond it, oldest last, for the caller to revoke.
   */
  maxLiveSessions: number;
}

/**
 * Sessions beyond the cap revoked per opening at most. Over the cap by one (the usual case)
 * takes one; a lowered cap is caught up with over the next openings.
 */
export const MAX_OVER_LIMIT_PER_OPENING = 10;

/** The successor a won rotation writes after `consumed` (a link of generation `consumed.generation`). */
export function successorLink(
  consumed: Pick<ExchangeCandidate, 'sessionId' | 'generation' | 'sessionExpiresAt'>,
  attempt: RotationAttempt,
): ChainLink {
  return {
    tokenHash: attempt.successorHash,
    sessionId: consumed.sessionId,
    generation: consumed.generation + 1,
    createdAt: attempt.now,
    expiresAt: Math.min(attempt.now + attempt.successorTtlMs, consumed.sessionExpiresAt),
  };
}

/**
 * The `data` of a `token.refreshed` event: the successor's generation, as JSON. PostgreSQL's
 * rotation statement builds the same text.
 */
export function refreshedAuditData(successorGeneration: number): string {
  return JSON.stringify({ generation: successorGeneration });
}

/**
 * The sessions' hot path (every token request and every refresh), written per dialect as raw
 * statements. A refresh is one write that reads the presented token's row, checks it and, if
 * nothing forbids it, rotates: no read before the write on the path that succeeds. In both
 * dialects the winner of concurrent rotations of one token is decided by the conditional UPDATE
 * (`... WHERE consumed_at IS NULL`) inside that one write.
 */
export interface SessionStatements {
  /** The presented token with everything an exchange decides on; null when unknown. */
  findCandidate(tokenHash: string): Promise<ExchangeCandidate | null>;
  /**
   * Consumes the presented token and writes its successor and audit event, atomically, if and
   * only if `refusalOf` finds nothing against it at `attempt.now`. Answers the consumed link's
   * chain, or null (having written nothing) when something forbids the rotation or a
   * concurrent exchange consumed the token first.
   */
  rotateIfAllowed(attempt: RotationAttempt): Promise<RotatedChain | null>;
  /**
   * Writes a new session, its first refresh token and its audit event, atomically, and in the
   * same transaction reads which live sessions of its key are now beyond `maxLiveSessions`
   * (the oldest ones; never the new one). Answers their ids; revoking them is the caller's.
   */
  openSession(write: SessionOpeningWrite): Promise<string[]>;
}

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
  /** The request's address as key allow-lists compare it (see clientAddress); null: unknown. */
  clientAddress: string | null;
  /**
   * When the request stops waiting for this write (epoch ms, DATABASE_TIMEOUT_MS after it
   * began) and answers 503. A write that comes to take effect later refuses to (consumes
   * nothing): the client was told the token is unused.
   */
  deadline: number;
}

/** What a won rotation tells about the chain it extended: the consumed link's row. */
export type RotatedChain = Pick<
  ExchangeCandidate,
  'sessionId' | 'apiUserId' | 'apiKeyId' | 'role' | 'generation' | 'scope' | 'audience'
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
    scope: string | null;
    audience: string | null;
  };
  firstToken: ChainLink;
  audit: AuditRow;
  /** What the write does about the key's cap on live sessions (see SessionHeadroomTracker). */
  limit: OpeningLimit;
}

/**
 * `count`: the write counts the key's live sessions (up to the cap plus
 * MAX_OVER_LIMIT_PER_OPENING) and names those beyond `maxLiveSessions`, oldest last, for the
 * caller to revoke. `none`: there is room, or no cap.
 *
 * `revokeOldest`: the key is known to be at its cap, so the write revokes, with no count, the
 * oldest of the key's unrevoked sessions still live at `liveAt` (the instant of the count the
 * cap is known from), with reason `session_limit`, erasing its sealed successor, and writes
 * `audit` for it (the write fills in the session and its user). Those sessions are the ones
 * counted then plus those opened since: the cap and the new one. A session's `expires_at` is
 * its creation plus the absolute lifetime, so sessions expire oldest first: if the oldest of
 * them has expired since, revoking it is harmless (it no longer counted, and the key is not
 * over its cap in live sessions); otherwise none has, and it is the oldest live session.
 * Sessions that had expired before the count were not counted, and are stepped over, as are
 * those up to `revokedUpTo`, and only sessions older than `revokeBelow` are candidates (see
 * Opening.revokedUpTo and Opening.revokeBelow in session-headroom.tracker.ts).
 */
export type OpeningLimit =
  | { kind: 'none' }
  | { kind: 'count'; maxLiveSessions: number }
  | {
      kind: 'revokeOldest';
      liveAt: number;
      revokedUpTo: string;
      revokeBelow: string;
      audit: AuditRow;
      /**
       * Whether to erase the revoked session's sealed successors: only with a grace window,
       * which alone writes them (as RotationAttempt.forgetSealed). Those left from a window
       * closed since are erased by the next clean-up.
       */
      forgetSealed: boolean;
    };

/** What an opening's write tells about its key's cap, as its `limit` asked. */
export interface OpenedSessionWrite {
  /**
   * For `count`: the key's live sessions with the new one (up to the cap plus
   * MAX_OVER_LIMIT_PER_OPENING); null when not counted here (no count, or another opening of
   * the key in the same statement reports it).
   */
  liveSessions: number | null;
  /** For `count`: the key's live sessions beyond the cap, for the caller to revoke. */
  overLimit: string[];
  /** For `revokeOldest`: the session it revoked, or null if none was live and unrevoked. */
  revokedOldest: string | null;
}

/** The `data` of the `session.revoked` event of a session revoked for its key's cap. */
export const SESSION_LIMIT_REVOCATION = { reason: 'session_limit', by: 'system' } as const;

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
  /**
   * Whether a write's count of live sessions sees every write submitted before it (SQLite:
   * one connection, transactions in submission order). On PostgreSQL, statements of
   * different turns run side by side and a count may miss a concurrent one's sessions.
   */
  readonly ordered: boolean;
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
   * same transaction does what `write.limit` asks about the key's cap (never touching the new
   * session).
   */
  openSession(write: SessionOpeningWrite): Promise<OpenedSessionWrite>;
}

import type { Database, Statement } from 'better-sqlite3';
import {
  type CandidateRow,
  type ExchangeCandidate,
  toExchangeCandidate,
} from './exchange-candidate';

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
  audit: {
    id: string;
    type: string;
    apiUserId: string;
    sessionId: string;
    apiKeyId: string;
    ip: string | null;
    data: string | null;
    createdAt: number;
  };
}

const CANDIDATE_SQL = `
  SELECT rt.token_hash, rt.session_id, rt.generation, rt.created_at, rt.expires_at, rt.consumed_at,
         rt.successor_hash, rt.successor_sealed, s.api_user_id, s.api_key_id, u.role, u.status AS user_status,
         s.expires_at AS session_expires_at, s.revoked_at AS session_revoked_at, k.revoked_at AS api_key_revoked_at
  FROM refresh_tokens rt
  JOIN sessions s ON s.id = rt.session_id
  JOIN api_keys k ON k.id = s.api_key_id
  JOIN api_users u ON u.id = s.api_user_id
  WHERE rt.token_hash = ?`;

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
 * The sessions' hot path on the embedded database (exchange candidate, rotation, session
 * opening), as prepared better-sqlite3 statements.
 * The write is one synchronous transaction: nothing else can run on the connection between
 * its statements, so it holds SQLite's single writer lock for microseconds instead of across
 * several awaited ORM queries. The conditional UPDATE still decides the winner.
 */
export class SqliteSessionStatements {
  private readonly candidate: Statement<[string], CandidateRow>;
  private readonly rotateTransaction: (write: RotationWrite) => boolean;
  private readonly openTransaction: (write: SessionOpeningWrite) => void;

  constructor(db: Database) {
    this.candidate = db.prepare<[string], CandidateRow>(CANDIDATE_SQL);
    const consume = db.prepare(
      'UPDATE refresh_tokens SET consumed_at = ?, successor_hash = ?, successor_sealed = ? WHERE token_hash = ? AND consumed_at IS NULL',
    );
    const insertToken = db.prepare(
      'INSERT INTO refresh_tokens (token_hash, session_id, generation, created_at, expires_at, consumed_at, successor_hash, successor_sealed) VALUES (?, ?, ?, ?, ?, NULL, NULL, NULL)',
    );
    const forgetSealed = db.prepare(
      'UPDATE refresh_tokens SET successor_sealed = NULL WHERE session_id = ? AND generation = ? AND successor_sealed IS NOT NULL',
    );
    const insertAudit = db.prepare(
      'INSERT INTO audit_events (id, type, api_user_id, session_id, api_key_id, ip, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const insertSession = db.prepare(
      'INSERT INTO sessions (id, api_user_id, api_key_id, created_at, expires_at, revoked_at, revoked_reason, ip) VALUES (?, ?, ?, ?, ?, NULL, NULL, ?)',
    );
    const writeToken = (token: RotationWrite['successor']) =>
      insertToken.run(
        token.tokenHash,
        token.sessionId,
        token.generation,
        token.createdAt,
        token.expiresAt,
      );
    const writeAudit = (audit: RotationWrite['audit']) =>
      insertAudit.run(
        audit.id,
        audit.type,
        audit.apiUserId,
        audit.sessionId,
        audit.apiKeyId,
        audit.ip,
        audit.data,
        audit.createdAt,
      );
    this.openTransaction = db.transaction((write: SessionOpeningWrite): void => {
      const { session } = write;
      insertSession.run(
        session.id,
        session.apiUserId,
        session.apiKeyId,
        session.createdAt,
        session.expiresAt,
        session.ip,
      );
      writeToken(write.firstToken);
      writeAudit(write.audit);
    });
    this.rotateTransaction = db.transaction((write: RotationWrite): boolean => {
      const won =
        consume.run(
          write.consumedAt,
          write.successor.tokenHash,
          write.successorSealed,
          write.predecessorHash,
        ).changes === 1;
      if (!won) return false;
      writeToken(write.successor);
      if (write.forgetSealedOfGeneration !== undefined)
        forgetSealed.run(write.successor.sessionId, write.forgetSealedOfGeneration);
      writeAudit(write.audit);
      return true;
    });
  }

  /** Writes a new session and its first refresh token and audit event, in one transaction. */
  openSession(write: SessionOpeningWrite): void {
    this.openTransaction(write);
  }

  findCandidate(tokenHash: string): ExchangeCandidate | null {
    const row = this.candidate.get(tokenHash);
    return row ? toExchangeCandidate(row) : null;
  }

  /** True when this call consumed the predecessor (and wrote the successor and audit event). */
  rotate(write: RotationWrite): boolean {
    return this.rotateTransaction(write);
  }
}

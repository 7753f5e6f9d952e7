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

/**
 * The rotation's hot path on the embedded database, as prepared better-sqlite3 statements.
 * The write is one synchronous transaction: nothing else can run on the connection between
 * its statements, so it holds SQLite's single writer lock for microseconds instead of across
 * several awaited ORM queries. The conditional UPDATE still decides the winner.
 */
export class SqliteRotationStatements {
  private readonly candidate: Statement<[string], CandidateRow>;
  private readonly rotateTransaction: (write: RotationWrite) => boolean;

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
    this.rotateTransaction = db.transaction((write: RotationWrite): boolean => {
      const won =
        consume.run(
          write.consumedAt,
          write.successor.tokenHash,
          write.successorSealed,
          write.predecessorHash,
        ).changes === 1;
      if (!won) return false;
      const { successor, audit } = write;
      insertToken.run(
        successor.tokenHash,
        successor.sessionId,
        successor.generation,
        successor.createdAt,
        successor.expiresAt,
      );
      if (write.forgetSealedOfGeneration !== undefined)
        forgetSealed.run(successor.sessionId, write.forgetSealedOfGeneration);
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
      return true;
    });
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

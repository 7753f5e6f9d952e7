import type { Database } from 'better-sqlite3';
import {
  type CandidateRow,
  candidateSql,
  type ExchangeCandidate,
  refusalOf,
  toExchangeCandidate,
} from './exchange-candidate';
import type { KeyedRead } from '../database/keyed-read';
import { batchedSqliteRead } from '../database/batched-sqlite-read';
import { type ExclusiveRunner, SqliteGroupCommit } from '../database/sqlite-group-commit';
import {
  type AuditRow,
  type ChainLink,
  MAX_OVER_LIMIT_PER_OPENING,
  type OpenedSessionWrite,
  refreshedAuditData,
  type RotatedChain,
  type RotationAttempt,
  type SessionOpeningWrite,
  type SessionStatements,
  successorLink,
} from './session-writes';

/**
 * The sessions' hot path on the embedded database (exchange candidate, rotation, session
 * opening), as prepared better-sqlite3 statements.
 * The write is one synchronous transaction: nothing else can run on the connection between
 * its statements, so it holds SQLite's single writer lock for microseconds instead of across
 * several awaited ORM queries. A rotation reads the presented token inside that transaction,
 * so what it checks is what it writes over; the conditional UPDATE still decides the winner.
 */
export class SqliteSessionStatements implements SessionStatements {
  readonly ordered = true;
  private readonly candidate: KeyedRead<CandidateRow>;
  private readonly rotateTransaction: (attempt: RotationAttempt) => RotatedChain | null;
  private readonly openTransaction: (write: SessionOpeningWrite) => OpenedSessionWrite;

  private readonly groupCommit: SqliteGroupCommit;

  /** `tables` renames the library's tables in the statements (see authTableRenamer). */
  constructor(db: Database, exclusive: ExclusiveRunner, tables: (sql: string) => string) {
    this.groupCommit = new SqliteGroupCommit(db, exclusive);
    const prepare = ((source: string) => db.prepare(tables(source))) as Database['prepare'];
    const readCandidate = prepare<[string], CandidateRow>(candidateSql('?'));
    this.candidate = batchedSqliteRead(readCandidate);
    const consume = prepare(
      'UPDATE refresh_tokens SET consumed_at = ?, successor_hash = ?, successor_sealed = ? WHERE token_hash = ? AND consumed_at IS NULL',
    );
    const insertToken = prepare(
      'INSERT INTO refresh_tokens (token_hash, session_id, generation, created_at, expires_at, consumed_at, successor_hash, successor_sealed) VALUES (?, ?, ?, ?, ?, NULL, NULL, NULL)',
    );
    const forgetSealed = prepare(
      'UPDATE refresh_tokens SET successor_sealed = NULL WHERE session_id = ? AND generation = ? AND successor_sealed IS NOT NULL',
    );
    const insertAudit = prepare(
      'INSERT INTO audit_events (id, type, api_user_id, session_id, api_key_id, ip, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const insertSession = prepare(
      'INSERT INTO sessions (id, api_user_id, api_key_id, created_at, expires_at, revoked_at, revoked_reason, ip, scope, audience) VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?)',
    );
    // The key's live sessions, counted up to a bound, and those beyond the cap, newest first
    // from an offset: walks of the partial index ix_sessions_api_key_live alone (unrevoked
    // sessions of the key, in id order, which is creation order). Each reads as many index
    // entries as the key has live sessions, up to the bound, and nothing more.
    const countLive = prepare<[string, number, number], { live: number }>(
      `SELECT count(*) AS live FROM (SELECT 1 FROM sessions WHERE api_key_id = ? AND revoked_at IS NULL AND expires_at > ?
         ORDER BY id DESC LIMIT ?)`,
    );
    const overLimit = prepare<[string, number, string, number], { id: string }>(
      `SELECT id FROM sessions WHERE api_key_id = ? AND revoked_at IS NULL AND expires_at > ? AND id < ?
         ORDER BY id DESC LIMIT ${MAX_OVER_LIMIT_PER_OPENING} OFFSET ?`,
    );
    // The key's oldest unrevoked session live at an instant: the first entries of the same
    // index, ascending, after the last one this instance revoked so (see OpeningLimit).
    // Sessions expired by then (not yet cleaned up) are the oldest, so only they are stepped
    // over.
    const oldestLive = prepare<
      [string, string, number, string],
      { id: string; api_user_id: string }
    >(
      `SELECT id, api_user_id FROM sessions WHERE api_key_id = ? AND id > ? AND revoked_at IS NULL AND expires_at > ? AND id < ?
         ORDER BY id LIMIT 1`,
    );
    const revokeForLimit = prepare(
      "UPDATE sessions SET revoked_at = ?, revoked_reason = 'session_limit' WHERE id = ? AND revoked_at IS NULL",
    );
    // As RefreshTokensRepository.forgetSealedOfSessions: a revoked session answers no retry.
    const forgetSealedOfSession = prepare(
      'UPDATE refresh_tokens SET successor_sealed = NULL WHERE session_id = ? AND successor_sealed IS NOT NULL',
    );
    // A security event's copy in the outbox, from its audit row just written, while an
    // instance delivers them (see captureSecurityEvents). The cap's revocation is the only
    // security event the hot path writes.
    const captureSecurityEvent = prepare(
      `INSERT INTO security_event_outbox (id, type, api_user_id, session_id, api_key_id, ip, data, created_at, next_attempt_at)
         SELECT id, type, api_user_id, session_id, api_key_id, ip, data, created_at, created_at
         FROM audit_events WHERE id = ? AND EXISTS (SELECT 1 FROM security_event_consumers)`,
    );
    const writeToken = (token: ChainLink) =>
      insertToken.run(
        token.tokenHash,
        token.sessionId,
        token.generation,
        token.createdAt,
        token.expiresAt,
      );
    const writeAudit = (audit: AuditRow) =>
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
    const writeSecurityEvent = (audit: AuditRow) => {
      writeAudit(audit);
      captureSecurityEvent.run(audit.id);
    };
    this.openTransaction = db.transaction((write: SessionOpeningWrite): OpenedSessionWrite => {
      const { session } = write;
      insertSession.run(
        session.id,
        session.apiUserId,
        session.apiKeyId,
        session.createdAt,
        session.expiresAt,
        session.ip,
        session.scope,
        session.audience,
      );
      writeToken(write.firstToken);
      writeAudit(write.audit);
      const opened: OpenedSessionWrite = { liveSessions: null, overLimit: [], revokedOldest: null };
      const { limit } = write;
      if (limit.kind === 'count') {
        const cap = limit.maxLiveSessions;
        const { live } = countLive.get(
          session.apiKeyId,
          session.createdAt,
          cap + MAX_OVER_LIMIT_PER_OPENING,
        ) as { live: number };
        opened.liveSessions = live;
        if (live > cap) {
          opened.overLimit = overLimit
            .all(session.apiKeyId, session.createdAt, session.id, cap - 1)
            .map((row) => row.id);
        }
      } else if (limit.kind === 'revokeOldest') {
        const oldest = oldestLive.get(
          session.apiKeyId,
          limit.revokedUpTo,
          limit.liveAt,
          limit.revokeBelow,
        );
        if (oldest && revokeForLimit.run(session.createdAt, oldest.id).changes === 1) {
          if (limit.forgetSealed) forgetSealedOfSession.run(oldest.id);
          writeSecurityEvent({
            ...limit.audit,
            sessionId: oldest.id,
            apiUserId: oldest.api_user_id,
          });
          opened.revokedOldest = oldest.id;
        }
      }
      return opened;
    });
    this.rotateTransaction = db.transaction((attempt: RotationAttempt): RotatedChain | null => {
      // Writes wait in the group commit's queue: one whose request has given up does nothing.
      if (Date.now() >= attempt.deadline) return null;
      const row = readCandidate.get(attempt.presentedHash);
      const candidate = row ? toExchangeCandidate(row) : null;
      if (
        !candidate ||
        refusalOf(candidate, attempt.now, attempt.onlyForApiKey, attempt.clientAddress) !== null
      )
        return null;
      const successor = successorLink(candidate, attempt);
      const won =
        consume.run(
          attempt.now,
          successor.tokenHash,
          attempt.successorSealed,
          attempt.presentedHash,
        ).changes === 1;
      if (!won) return null;
      writeToken(successor);
      // The sealed copy held one link back: no retry within the grace window can need it now.
      if (attempt.forgetSealed && candidate.generation > 0)
        forgetSealed.run(candidate.sessionId, candidate.generation - 1);
      writeAudit({
        id: attempt.auditId,
        type: 'token.refreshed',
        apiUserId: candidate.apiUserId,
        sessionId: candidate.sessionId,
        apiKeyId: candidate.apiKeyId,
        ip: attempt.auditIp,
        data: refreshedAuditData(successor.generation),
        createdAt: attempt.now,
      });
      return candidate;
    });
  }

  /** Committed with the other writes of this event-loop turn (see SqliteGroupCommit). */
  openSession(write: SessionOpeningWrite): Promise<OpenedSessionWrite> {
    return this.groupCommit.submit(() => this.openTransaction(write));
  }

  async findCandidate(tokenHash: string): Promise<ExchangeCandidate | null> {
    const row = await this.candidate(tokenHash);
    return row ? toExchangeCandidate(row) : null;
  }

  /** Committed with the other writes of this event-loop turn (see SqliteGroupCommit). */
  rotateIfAllowed(attempt: RotationAttempt): Promise<RotatedChain | null> {
    return this.groupCommit.submit(() => this.rotateTransaction(attempt));
  }
}

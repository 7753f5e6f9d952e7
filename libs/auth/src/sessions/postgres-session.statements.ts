import {
  type CandidateRow,
  candidateSql,
  type ExchangeCandidate,
  toExchangeCandidate,
} from './exchange-candidate';
import type { RotationWrite, SessionOpeningWrite, SessionStatements } from './session-writes';

/** The slice of node-postgres' Pool these statements use. */
export interface PgQueryable {
  query<Row>(config: {
    name: string;
    text: string;
    values: unknown[];
  }): Promise<{ rows: Row[]; rowCount: number | null }>;
}

const CANDIDATE_SQL = candidateSql('$1');

/*
 * One statement per rotation: the conditional UPDATE decides the winner, and the successor,
 * the erasure of the sealed copy two links back and the audit event are written only from
 * its result. A statement is atomic on its own, so this is one round trip and one commit. A
 * concurrent rotation of the same token waits on the row lock and then, re-checking
 * `consumed_at IS NULL` against the committed row, updates nothing and so writes nothing.
 */
const ROTATE_SQL = `
  WITH consumed AS (
    UPDATE refresh_tokens SET consumed_at = $1, successor_hash = $2, successor_sealed = $3
    WHERE token_hash = $4 AND consumed_at IS NULL
    RETURNING session_id
  ), successor AS (
    INSERT INTO refresh_tokens (token_hash, session_id, generation, created_at, expires_at)
    SELECT $2, session_id, $5::integer, $1::bigint, $6::bigint FROM consumed
  ), forgotten AS (
    UPDATE refresh_tokens SET successor_sealed = NULL
    WHERE session_id = (SELECT session_id FROM consumed) AND generation = $7::integer
      AND successor_sealed IS NOT NULL
  ), audited AS (
    INSERT INTO audit_events (id, type, api_user_id, session_id, api_key_id, ip, data, created_at)
    SELECT $8, $9, $10, session_id, $11, $12, $13, $1::bigint FROM consumed
  )
  SELECT count(*)::integer AS won FROM consumed`;

/* Opening a session: the session, generation 0 of its chain and the audit event, one statement. */
const OPEN_SESSION_SQL = `
  WITH opened AS (
    INSERT INTO sessions (id, api_user_id, api_key_id, created_at, expires_at, ip)
    VALUES ($1, $2, $3, $4, $5, $6)
    RETURNING id
  ), first_token AS (
    INSERT INTO refresh_tokens (token_hash, session_id, generation, created_at, expires_at)
    SELECT $7, id, 0, $4::bigint, $8::bigint FROM opened
  )
  INSERT INTO audit_events (id, type, api_user_id, session_id, api_key_id, ip, data, created_at)
  SELECT $9, $10, $2, id, $3, $6, $11, $4::bigint FROM opened`;

/**
 * The hot path on PostgreSQL, as named (server-side prepared) statements on the pool behind
 * the TypeORM data source: parsed and planned once per connection, one round trip each.
 */
export class PostgresSessionStatements implements SessionStatements {
  constructor(private readonly pool: PgQueryable) {}

  async findCandidate(tokenHash: string): Promise<ExchangeCandidate | null> {
    const { rows } = await this.pool.query<CandidateRow>({
      name: 'auth_exchange_candidate',
      text: CANDIDATE_SQL,
      values: [tokenHash],
    });
    return rows.length > 0 ? toExchangeCandidate(rows[0]) : null;
  }

  async rotate(write: RotationWrite): Promise<boolean> {
    const { successor, audit } = write;
    const { rows } = await this.pool.query<{ won: number }>({
      name: 'auth_rotate_refresh_token',
      text: ROTATE_SQL,
      values: [
        write.consumedAt,
        successor.tokenHash,
        write.successorSealed,
        write.predecessorHash,
        successor.generation,
        successor.expiresAt,
        write.forgetSealedOfGeneration ?? null,
        audit.id,
        audit.type,
        audit.apiUserId,
        audit.apiKeyId,
        audit.ip,
        audit.data,
      ],
    });
    return rows[0]?.won === 1;
  }

  async openSession(write: SessionOpeningWrite): Promise<void> {
    const { session, firstToken, audit } = write;
    await this.pool.query({
      name: 'auth_open_session',
      text: OPEN_SESSION_SQL,
      values: [
        session.id,
        session.apiUserId,
        session.apiKeyId,
        session.createdAt,
        session.expiresAt,
        session.ip,
        firstToken.tokenHash,
        firstToken.expiresAt,
        audit.id,
        audit.type,
        audit.data,
      ],
    });
  }
}

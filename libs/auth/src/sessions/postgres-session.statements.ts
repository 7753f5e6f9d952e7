import {
  type CandidateRow,
  candidateSql,
  type ExchangeCandidate,
  toExchangeCandidate,
} from './exchange-candidate';
import type { RotationWrite, SessionOpeningWrite, SessionStatements } from './session-writes';
import { batchedPgRead } from '../database/batched-pg-read';
import type { PgQueryable } from '../database/postgres-pool';
import type { KeyedRead } from '../database/keyed-read';
import { type ItemOutcome, settleEach, TurnBatch } from '../database/turn-batch';

const CANDIDATE_SQL = candidateSql('$1');

/*
 * Rotations, one row of the arrays each (one for a lone rotation, several for a turn's): the
 * conditional UPDATE decides each winner, and the successor, the erasure of the sealed copy
 * two links back and the audit event are written only from its result. A statement is atomic
 * on its own, so this is one round trip and one commit. A concurrent rotation of the same
 * token waits on the row lock and then, re-checking `consumed_at IS NULL` against the
 * committed row, updates nothing and so writes nothing. Each predecessor appears once in the
 * arrays (see rotateBatch), so each UPDATE joins at most one input row, and the winners are
 * the predecessors it returns. The input is sorted by predecessor, so instances tend to lock
 * rows in the same order; a deadlock is still possible and is handled by running the
 * rotations one by one.
 */
const ROTATE_SQL = `
  WITH input AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::integer[],
                         $6::bigint[], $7::integer[], $8::text[], $9::text[], $10::text[],
                         $11::text[], $12::text[], $13::text[])
      AS i(predecessor_hash, successor_hash, successor_sealed, consumed_at, generation,
           expires_at, forget_generation, audit_id, audit_type, api_user_id, api_key_id, ip, data)
  ), consumed AS (
    UPDATE refresh_tokens r
    SET consumed_at = i.consumed_at, successor_hash = i.successor_hash,
        successor_sealed = i.successor_sealed
    FROM input i
    WHERE r.token_hash = i.predecessor_hash AND r.consumed_at IS NULL
    RETURNING r.session_id, i.*
  ), successor AS (
    INSERT INTO refresh_tokens (token_hash, session_id, generation, created_at, expires_at)
    SELECT successor_hash, session_id, generation, consumed_at, expires_at FROM consumed
  ), forgotten AS (
    UPDATE refresh_tokens r SET successor_sealed = NULL
    FROM consumed c
    WHERE r.session_id = c.session_id AND r.generation = c.forget_generation
      AND r.successor_sealed IS NOT NULL
  ), audited AS (
    INSERT INTO audit_events (id, type, api_user_id, session_id, api_key_id, ip, data, created_at)
    SELECT audit_id, audit_type, api_user_id, session_id, api_key_id, ip, data, consumed_at
    FROM consumed
  )
  SELECT predecessor_hash FROM consumed`;

/*
 * Session openings, one row of the arrays each: the session, generation 0 of its chain and
 * the audit event, in one statement.
 */
const OPEN_SESSION_SQL = `
  WITH input AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[],
                         $6::text[], $7::text[], $8::bigint[], $9::text[], $10::text[], $11::text[])
      AS i(session_id, api_user_id, api_key_id, created_at, expires_at, ip, token_hash,
           token_expires_at, audit_id, audit_type, data)
  ), opened AS (
    INSERT INTO sessions (id, api_user_id, api_key_id, created_at, expires_at, ip)
    SELECT session_id, api_user_id, api_key_id, created_at, expires_at, ip FROM input
    RETURNING id
  ), first_token AS (
    INSERT INTO refresh_tokens (token_hash, session_id, generation, created_at, expires_at)
    SELECT i.token_hash, o.id, 0, i.created_at, i.token_expires_at
    FROM opened o JOIN input i ON i.session_id = o.id
  )
  INSERT INTO audit_events (id, type, api_user_id, session_id, api_key_id, ip, data, created_at)
  SELECT i.audit_id, i.audit_type, i.api_user_id, o.id, i.api_key_id, i.ip, i.data, i.created_at
  FROM opened o JOIN input i ON i.session_id = o.id`;

/**
 * A turn's writes as one statement; or one statement per write, each settling alone, for a
 * lone write or when the shared statement fails (a statement is atomic: none of it was written).
 */
async function allOrEach<W, R>(
  writes: W[],
  runAll: (writes: W[]) => Promise<R[]>,
  runOne: (write: W) => Promise<R>,
): Promise<ItemOutcome<R>[]> {
  if (writes.length > 1) {
    try {
      return (await runAll(writes)).map((value) => ({ ok: true, value }));
    } catch {
      // A deadlock with another instance, or one bad row: retried one by one below.
    }
  }
  return settleEach(writes, runOne);
}

/**
 * The hot path on PostgreSQL, as named (server-side prepared) statements on the pool behind
 * the TypeORM data source: parsed and planned once per connection. The candidate reads, the
 * rotations and the session openings made in one event-loop turn each share one statement
 * (and so the writes one commit): under load, the client and the server each pay one round
 * trip for many requests.
 */
export class PostgresSessionStatements implements SessionStatements {
  private readonly candidates: KeyedRead<CandidateRow>;
  private readonly rotations = new TurnBatch((writes: RotationWrite[]) => this.rotateBatch(writes));
  private readonly openings = new TurnBatch((writes: SessionOpeningWrite[]) =>
    allOrEach(
      writes,
      (all) => this.openAll(all),
      (write) => this.openOne(write),
    ),
  );

  constructor(private readonly pool: PgQueryable) {
    this.candidates = batchedPgRead<CandidateRow>(
      pool,
      'auth_exchange_candidate',
      CANDIDATE_SQL,
      (row) => row.token_hash,
    );
  }

  async findCandidate(tokenHash: string): Promise<ExchangeCandidate | null> {
    const row = await this.candidates(tokenHash);
    return row ? toExchangeCandidate(row) : null;
  }

  rotate(write: RotationWrite): Promise<boolean> {
    return this.rotations.submit(write);
  }

  /**
   * A turn's rotations. A predecessor presented more than once in the turn goes into the
   * shared statement once; the repeats run alone after it, and so lose to it exactly as a
   * concurrent request would.
   */
  private async rotateBatch(writes: RotationWrite[]): Promise<ItemOutcome<boolean>[]> {
    const unique = new Map<string, RotationWrite>();
    const repeats: RotationWrite[] = [];
    for (const write of writes) {
      if (unique.has(write.predecessorHash)) repeats.push(write);
      else unique.set(write.predecessorHash, write);
    }
    // Sorted, so that instances tend to lock rows in the same order.
    const batched = [...unique.values()].sort((a, b) =>
      a.predecessorHash < b.predecessorHash ? -1 : 1,
    );
    const rotateOne = (write: RotationWrite) => this.rotateOne(write);
    const outcomes = new Map<RotationWrite, ItemOutcome<boolean>>();
    const settled = await allOrEach(batched, (all) => this.rotateAll(all), rotateOne);
    settled.forEach((outcome, i) => outcomes.set(batched[i], outcome));
    const settledRepeats = await settleEach(repeats, rotateOne);
    settledRepeats.forEach((outcome, i) => outcomes.set(repeats[i], outcome));
    return writes.map((write) => outcomes.get(write) as ItemOutcome<boolean>);
  }

  /**
   * Whether each write won (consumed its predecessor), in the order of `writes`. Named apart
   * when shared, so that a turn's statement and a lone one can be told apart.
   */
  private async rotateAll(
    writes: RotationWrite[],
    name = 'auth_rotate_refresh_tokens',
  ): Promise<boolean[]> {
    const column = <T>(pick: (write: RotationWrite) => T): T[] => writes.map(pick);
    const rows = await this.query<{ predecessor_hash: string }>(name, ROTATE_SQL, [
      column((w) => w.predecessorHash),
      column((w) => w.successor.tokenHash),
      column((w) => w.successorSealed),
      column((w) => w.consumedAt),
      column((w) => w.successor.generation),
      column((w) => w.successor.expiresAt),
      column((w) => w.forgetSealedOfGeneration ?? null),
      column((w) => w.audit.id),
      column((w) => w.audit.type),
      column((w) => w.audit.apiUserId),
      column((w) => w.audit.apiKeyId),
      column((w) => w.audit.ip),
      column((w) => w.audit.data),
    ]);
    const winners = new Set(rows.map((row) => row.predecessor_hash));
    return writes.map((write) => winners.has(write.predecessorHash));
  }

  private async rotateOne(write: RotationWrite): Promise<boolean> {
    const [won] = await this.rotateAll([write], 'auth_rotate_refresh_token');
    return won;
  }

  openSession(write: SessionOpeningWrite): Promise<void> {
    return this.openings.submit(write);
  }

  private async openAll(
    writes: SessionOpeningWrite[],
    name = 'auth_open_sessions',
  ): Promise<void[]> {
    const column = <T>(pick: (write: SessionOpeningWrite) => T): T[] => writes.map(pick);
    await this.query(name, OPEN_SESSION_SQL, [
      column((w) => w.session.id),
      column((w) => w.session.apiUserId),
      column((w) => w.session.apiKeyId),
      column((w) => w.session.createdAt),
      column((w) => w.session.expiresAt),
      column((w) => w.session.ip),
      column((w) => w.firstToken.tokenHash),
      column((w) => w.firstToken.expiresAt),
      column((w) => w.audit.id),
      column((w) => w.audit.type),
      column((w) => w.audit.data),
    ]);
    return writes.map(() => undefined);
  }

  private async openOne(write: SessionOpeningWrite): Promise<void> {
    await this.openAll([write], 'auth_open_session');
  }

  private async query<Row>(name: string, text: string, values: unknown[]): Promise<Row[]> {
    const { rows } = await this.pool.query<Row>({ name, text, values });
    return rows;
  }
}

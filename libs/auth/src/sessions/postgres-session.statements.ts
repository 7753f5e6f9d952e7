import {
  type CandidateRow,
  candidateSql,
  type ExchangeCandidate,
  toExchangeCandidate,
} from './exchange-candidate';
import {
  MAX_OVER_LIMIT_PER_OPENING,
  type OpenedSessionWrite,
  type RotatedChain,
  type RotationAttempt,
  type SessionOpeningWrite,
  SESSION_LIMIT_REVOCATION,
  type SessionStatements,
} from './session-writes';
import { batchedPgRead } from '../database/batched-pg-read';
import { isDatabaseUnavailable } from '../database/database-unavailable';
import { PostgresClockOffset } from '../database/postgres-clock-offset';
import type { PgQueryable } from '../database/postgres-pool';
import type { KeyedRead } from '../database/keyed-read';
import { type ItemOutcome, settleEach, TurnBatch } from '../database/turn-batch';

const CANDIDATE_SQL = candidateSql('$1');

/*
 * Rotations, one row of the arrays each (one for a lone rotation, several for a turn's). The
 * conditional UPDATE joins the presented token to its session, key and user and consumes it
 * only if nothing forbids the rotation: the same checks as `refusalOf` (exchange-candidate.ts),
 * at the exchange's instant, and only before the request's deadline ($10, on the server's
 * clock): a statement that a frozen or overloaded server runs after the request answered 503
 * consumes nothing. The successor, the erasure of the sealed copy one link back and
 * the audit event are written only from its result, so a refused or lost rotation writes
 * nothing, and the caller reads the candidate to learn why. A statement is atomic on its own:
 * one round trip and one commit, with no read before it when the rotation succeeds.
 *
 * A concurrent rotation of the same token waits on the row lock and then, re-checking
 * `consumed_at IS NULL` against the committed row, updates nothing. Each presented token
 * appears once in the arrays (see rotateBatch), so each UPDATE joins at most one input row, and
 * the winners are the tokens it returns. The input is sorted by token, so instances tend to
 * lock rows in the same order; a deadlock is still possible and is handled by running the
 * rotations one by one.
 */
const ROTATE_SQL = `
  WITH input AS (
    SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[],
                         $6::boolean[], $7::text[], $8::text[], $9::text[], $10::float8[],
                         $11::inet[])
      AS i(presented_hash, now, successor_hash, successor_sealed, successor_ttl_ms,
           forget_sealed, only_api_key, audit_id, audit_ip, deadline, client_address)
  ), consumed AS (
    UPDATE refresh_tokens r
    SET consumed_at = i.now, successor_hash = i.successor_hash,
        successor_sealed = i.successor_sealed
    FROM input i, sessions s, api_keys k, api_users u
    WHERE r.token_hash = i.presented_hash
      AND s.id = r.session_id AND k.id = s.api_key_id AND u.id = s.api_user_id
      AND (i.only_api_key IS NULL OR s.api_key_id = i.only_api_key)
      AND s.revoked_at IS NULL AND k.revoked_at IS NULL AND u.status = 'active'
      AND (k.expires_at IS NULL OR k.expires_at > i.now)
      AND (k.allowed_cidrs IS NULL OR EXISTS (
        SELECT 1 FROM unnest(string_to_array(k.allowed_cidrs, ' ')) AS a(cidr)
        WHERE i.client_address <<= a.cidr::inet))
      AND s.expires_at > i.now
      AND r.consumed_at IS NULL
      AND r.expires_at > i.now
      AND clock_timestamp() < to_timestamp(i.deadline / 1000)
    RETURNING i.*, r.session_id, r.generation, s.api_user_id, s.api_key_id, u.role, s.scope, s.audience,
              s.expires_at AS session_expires_at
  ), successor AS (
    INSERT INTO refresh_tokens (token_hash, session_id, generation, created_at, expires_at)
    SELECT successor_hash, session_id, generation + 1, now,
           LEAST(now + successor_ttl_ms, session_expires_at)
    FROM consumed
  ), forgotten AS (
    UPDATE refresh_tokens r SET successor_sealed = NULL
    FROM consumed c
    WHERE c.forget_sealed AND r.session_id = c.session_id AND r.generation = c.generation - 1
      AND r.successor_sealed IS NOT NULL
  ), audited AS (
    INSERT INTO audit_events (id, type, api_user_id, session_id, api_key_id, ip, data, created_at)
    -- The text refreshedAuditData gives (session-writes.ts).
    SELECT audit_id, 'token.refreshed', api_user_id, session_id, api_key_id, audit_ip,
           '{"generation":' || (generation + 1) || '}', now
    FROM consumed
  )
  SELECT presented_hash, session_id, generation, api_user_id, api_key_id, role, scope, audience FROM consumed`;

/** A row of ROTATE_SQL's answer: one per won rotation. */
interface RotatedRow {
  presented_hash: string;
  session_id: string;
  generation: number;
  api_user_id: string;
  api_key_id: string;
  role: RotatedChain['role'];
  scope: string | null;
  audience: string | null;
}

/*
 * Session openings, one row of the arrays each: the session, generation 0 of its chain and
 * the audit event, in one statement. The statement's snapshot predates its own inserts, so
 * neither part below ever sees (or revokes) a session the statement opens.
 *
 * Openings that count ($13): per key, its live sessions (read on the partial index
 * ix_sessions_api_key_live, unrevoked sessions of a key in id, that is creation, order, newest
 * first, up to the cap plus those it can name: the index keeps the entries of sessions revoked
 * since the last vacuum, and those are the oldest) plus those the statement opens for it, and the live
 * sessions beyond the cap ($12) for the caller to revoke: the newest of that merge from the
 * cap on.
 *
 * Openings at their key's cap ($14): per key, as many of its oldest unrevoked sessions live at
 * the key's last count ($15, see OpeningLimit) as it has such openings (the first entries of
 * the same index, ascending, after the last session this instance revoked so, $19, so as not
 * to walk the entries of those revoked since the last vacuum, and before the oldest session
 * this instance is still opening for the key, $21, which may commit after this statement's
 * snapshot), each paired with one of them, revoked here (reason
 * `session_limit`, sealed successors erased, a `session.revoked` event with the opening's
 * event id $16 and address $17, at the opening's instant). The search locks the sessions it
 * picks and skips those another transaction holds (a concurrent opening of the key at its cap,
 * on this instance or another, revoking its own oldest), so concurrent openings at the cap
 * revoke different sessions instead of queueing on one and finding it revoked. A session
 * revoked and committed since the statement's snapshot fails the re-check of `revoked_at IS
 * NULL` that taking the lock makes, and the search goes on to the next; a session is revoked
 * and reported once. An opening that finds nothing to revoke reports so, and its key is
 * counted again at its next opening.
 */
const OPEN_SESSION_SQL = `
  WITH input AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[],
                         $6::text[], $7::text[], $8::bigint[], $9::text[], $10::text[], $11::text[],
                         $13::boolean[], $14::boolean[], $15::bigint[], $16::text[], $17::text[],
                         $19::text[], $20::text[], $21::text[], $22::text[])
      AS i(session_id, api_user_id, api_key_id, created_at, expires_at, ip, token_hash,
           token_expires_at, audit_id, audit_type, data, counts, revokes_oldest, live_at,
           revocation_audit_id, revocation_audit_ip, revoked_up_to, scope, revoke_below, audience)
  ), opened AS (
    INSERT INTO sessions (id, api_user_id, api_key_id, created_at, expires_at, ip, scope, audience)
    SELECT session_id, api_user_id, api_key_id, created_at, expires_at, ip, scope, audience
    FROM input
    RETURNING id
  ), first_token AS (
    INSERT INTO refresh_tokens (token_hash, session_id, generation, created_at, expires_at)
    SELECT i.token_hash, o.id, 0, i.created_at, i.token_expires_at
    FROM opened o JOIN input i ON i.session_id = o.id
  ), audited AS (
    INSERT INTO audit_events (id, type, api_user_id, session_id, api_key_id, ip, data, created_at)
    SELECT i.audit_id, i.audit_type, i.api_user_id, o.id, i.api_key_id, i.ip, i.data, i.created_at
    FROM opened o JOIN input i ON i.session_id = o.id
  ), counted_keys AS (
    SELECT api_key_id, max(created_at) AS now FROM input WHERE counts GROUP BY api_key_id
  ), counted AS (
    SELECT k.api_key_id,
      (SELECT count(*) FROM (
         SELECT 1 FROM sessions
         WHERE api_key_id = k.api_key_id AND revoked_at IS NULL AND expires_at > k.now
         ORDER BY id DESC LIMIT $12::int + ${MAX_OVER_LIMIT_PER_OPENING}) walked)
      + (SELECT count(*) FROM input WHERE api_key_id = k.api_key_id) AS live
    FROM counted_keys k
  ), over_limit AS (
    SELECT k.api_key_id, live.id
    FROM counted_keys k CROSS JOIN LATERAL (
      SELECT id FROM (
        (SELECT id FROM sessions
         WHERE api_key_id = k.api_key_id AND revoked_at IS NULL AND expires_at > k.now
         ORDER BY id DESC LIMIT $12::int + ${MAX_OVER_LIMIT_PER_OPENING})
        UNION ALL
        SELECT session_id FROM input WHERE api_key_id = k.api_key_id
      ) candidates
      ORDER BY id DESC OFFSET $12::int LIMIT ${MAX_OVER_LIMIT_PER_OPENING}
    ) live
  ), at_cap AS (
    SELECT i.*, row_number() OVER (PARTITION BY api_key_id ORDER BY session_id) AS n
    FROM input i WHERE revokes_oldest
  ), at_cap_keys AS (
    SELECT api_key_id, count(*) AS openings, min(live_at) AS live_at,
           max(revoked_up_to) AS revoked_up_to, min(revoke_below) AS revoke_below
    FROM at_cap GROUP BY api_key_id
  ), oldest AS (
    SELECT k.api_key_id, v.id, row_number() OVER (PARTITION BY k.api_key_id ORDER BY v.id) AS n
    FROM at_cap_keys k CROSS JOIN LATERAL (
      SELECT id FROM sessions
      WHERE api_key_id = k.api_key_id AND id > k.revoked_up_to AND id < k.revoke_below
        AND revoked_at IS NULL AND expires_at > k.live_at
      ORDER BY id LIMIT k.openings
      FOR UPDATE SKIP LOCKED
    ) v
  ), revoked AS (
    UPDATE sessions s SET revoked_at = a.created_at, revoked_reason = 'session_limit'
    FROM oldest v JOIN at_cap a ON a.api_key_id = v.api_key_id AND a.n = v.n
    WHERE s.id = v.id AND s.revoked_at IS NULL
    RETURNING s.id, s.api_user_id, s.api_key_id, a.session_id AS opened_id, a.created_at,
              a.revocation_audit_id, a.revocation_audit_ip
  ), forgotten AS (
    UPDATE refresh_tokens r SET successor_sealed = NULL
    FROM revoked v
    WHERE $23::boolean AND r.session_id = v.id AND r.successor_sealed IS NOT NULL
  ), revocation_audited AS (
    INSERT INTO audit_events (id, type, api_user_id, session_id, api_key_id, ip, data, created_at)
    SELECT revocation_audit_id, 'session.revoked', api_user_id, id, api_key_id,
           revocation_audit_ip, $18::text, created_at
    FROM revoked
  ), revocation_captured AS (
    -- The security event's copy, while an instance delivers them (see captureSecurityEvents).
    INSERT INTO security_event_outbox
      (id, type, api_user_id, session_id, api_key_id, ip, data, created_at, next_attempt_at)
    SELECT revocation_audit_id, 'session.revoked', api_user_id, id, api_key_id,
           revocation_audit_ip, $18::text, created_at, created_at
    FROM revoked WHERE EXISTS (SELECT 1 FROM security_event_consumers)
  )
  SELECT 'over' AS kind, api_key_id, id, NULL AS opened_id, NULL::bigint AS live FROM over_limit
  UNION ALL
  SELECT 'live', api_key_id, NULL, NULL, live FROM counted
  UNION ALL
  SELECT 'revoked', api_key_id, id, opened_id, NULL FROM revoked`;

/** A row of OPEN_SESSION_SQL's answer. */
interface OpeningRow {
  kind: 'over' | 'live' | 'revoked';
  api_key_id: string;
  id: string | null;
  opened_id: string | null;
  live: string | number | null;
}

/**
 * A turn's writes as one statement; or one statement per write, each settling alone, for a
 * lone write or when the shared statement fails (a statement is atomic: none of it was
 * written). Not when the database is unavailable: every write would wait out its own deadline
 * again, and the requests would answer after twice theirs.
 */
async function allOrEach<W, R>(
  writes: W[],
  runAll: (writes: W[]) => Promise<R[]>,
  runOne: (write: W) => Promise<R>,
): Promise<ItemOutcome<R>[]> {
  if (writes.length > 1) {
    try {
      return (await runAll(writes)).map((value) => ({ ok: true, value }));
    } catch (error) {
      if (isDatabaseUnavailable(error)) return writes.map(() => ({ ok: false, error }));
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
  readonly ordered = false;
  private readonly candidates: KeyedRead<CandidateRow>;
  private readonly rotations = new TurnBatch((attempts: RotationAttempt[]) =>
    this.rotateBatch(attempts),
  );
  private readonly openings = new TurnBatch((writes: SessionOpeningWrite[]) =>
    allOrEach(
      writes,
      (all) => this.openAll(all),
      (write) => this.openOne(write),
    ),
  );

  private readonly clock: PostgresClockOffset;

  private readonly rotateSql: string;
  private readonly openSessionSql: string;

  /** `tables` renames the library's tables in the statements (see authTableRenamer). */
  constructor(
    private readonly pool: PgQueryable,
    tables: (sql: string) => string,
  ) {
    this.clock = new PostgresClockOffset(pool);
    this.rotateSql = tables(ROTATE_SQL);
    this.openSessionSql = tables(OPEN_SESSION_SQL);
    this.candidates = batchedPgRead<CandidateRow>(
      pool,
      'auth_exchange_candidate',
      tables(CANDIDATE_SQL),
      (row) => row.token_hash,
    );
  }

  async findCandidate(tokenHash: string): Promise<ExchangeCandidate | null> {
    const row = await this.candidates(tokenHash);
    return row ? toExchangeCandidate(row) : null;
  }

  rotateIfAllowed(attempt: RotationAttempt): Promise<RotatedChain | null> {
    return this.rotations.submit(attempt);
  }

  /**
   * A turn's rotations. A token presented more than once in the turn goes into the shared
   * statement once; the repeats run alone after it, and so lose to it exactly as a concurrent
   * request would.
   */
  private async rotateBatch(
    attempts: RotationAttempt[],
  ): Promise<ItemOutcome<RotatedChain | null>[]> {
    const unique = new Map<string, RotationAttempt>();
    const repeats: RotationAttempt[] = [];
    for (const attempt of attempts) {
      if (unique.has(attempt.presentedHash)) repeats.push(attempt);
      else unique.set(attempt.presentedHash, attempt);
    }
    // Sorted, so that instances tend to lock rows in the same order.
    const batched = [...unique.values()].sort((a, b) =>
      a.presentedHash < b.presentedHash ? -1 : 1,
    );
    const rotateOne = (attempt: RotationAttempt) => this.rotateOne(attempt);
    const outcomes = new Map<RotationAttempt, ItemOutcome<RotatedChain | null>>();
    const settled = await allOrEach(batched, (all) => this.rotateAll(all), rotateOne);
    settled.forEach((outcome, i) => outcomes.set(batched[i], outcome));
    // The database unavailable: the repeats fail as their first presentation did, at once.
    const unavailable = settled.find((o) => !o.ok && isDatabaseUnavailable(o.error));
    const settledRepeats = unavailable
      ? repeats.map(() => unavailable)
      : await settleEach(repeats, rotateOne);
    settledRepeats.forEach((outcome, i) => outcomes.set(repeats[i], outcome));
    return attempts.map((attempt) => outcomes.get(attempt) as ItemOutcome<RotatedChain | null>);
  }

  /**
   * Each attempt's chain if it won, null if not, in the order of `attempts`. Named apart when
   * shared, so that a turn's statement and a lone one can be told apart.
   */
  private async rotateAll(
    attempts: RotationAttempt[],
    name = 'auth_rotate_refresh_tokens',
  ): Promise<(RotatedChain | null)[]> {
    const column = <T>(pick: (attempt: RotationAttempt) => T): T[] => attempts.map(pick);
    const rows = await this.query<RotatedRow>(name, this.rotateSql, [
      column((a) => a.presentedHash),
      column((a) => a.now),
      column((a) => a.successorHash),
      column((a) => a.successorSealed),
      column((a) => a.successorTtlMs),
      column((a) => a.forgetSealed),
      column((a) => a.onlyForApiKey),
      column((a) => a.auditId),
      column((a) => a.auditIp),
      column((a) => this.clock.toServerClock(a.deadline)),
      column((a) => a.clientAddress),
    ]);
    const won = new Map(rows.map((row) => [row.presented_hash, row]));
    return attempts.map((attempt) => {
      const row = won.get(attempt.presentedHash);
      return row
        ? {
            sessionId: row.session_id,
            generation: row.generation,
            apiUserId: row.api_user_id,
            apiKeyId: row.api_key_id,
            role: row.role,
            scope: row.scope,
            audience: row.audience,
          }
        : null;
    });
  }

  private async rotateOne(attempt: RotationAttempt): Promise<RotatedChain | null> {
    const [chain] = await this.rotateAll([attempt], 'auth_rotate_refresh_token');
    return chain;
  }

  openSession(write: SessionOpeningWrite): Promise<OpenedSessionWrite> {
    return this.openings.submit(write);
  }

  /**
   * What each write's statement tells, in the order of `writes`. A counted key's count and
   * sessions beyond the cap go to the first of its counting writes in the turn, so that each
   * is revoked once and the count is recorded once.
   */
  private async openAll(
    writes: SessionOpeningWrite[],
    name = 'auth_open_sessions',
  ): Promise<OpenedSessionWrite[]> {
    const column = <T>(pick: (write: SessionOpeningWrite) => T): T[] => writes.map(pick);
    // One cap for the whole statement: it comes from the module's options, the same for all.
    const cap =
      writes.map((w) => w.limit).find((limit) => limit.kind === 'count')?.maxLiveSessions ?? 0;
    const revocationAudit = (w: SessionOpeningWrite) =>
      w.limit.kind === 'revokeOldest' ? w.limit.audit : null;
    const rows = await this.query<OpeningRow>(name, this.openSessionSql, [
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
      cap,
      column((w) => w.limit.kind === 'count'),
      column((w) => w.limit.kind === 'revokeOldest'),
      column((w) => (w.limit.kind === 'revokeOldest' ? w.limit.liveAt : null)),
      column((w) => revocationAudit(w)?.id ?? null),
      column((w) => revocationAudit(w)?.ip ?? null),
      JSON.stringify(SESSION_LIMIT_REVOCATION),
      column((w) => (w.limit.kind === 'revokeOldest' ? w.limit.revokedUpTo : null)),
      column((w) => w.session.scope),
      column((w) => (w.limit.kind === 'revokeOldest' ? w.limit.revokeBelow : null)),
      column((w) => w.session.audience),
      writes.some((w) => w.limit.kind === 'revokeOldest' && w.limit.forgetSealed),
    ]);
    const overLimit = new Map<string, string[]>();
    const live = new Map<string, number>();
    const revoked = new Map<string, string>();
    for (const row of rows) {
      if (row.kind === 'over') {
        const ids = overLimit.get(row.api_key_id) ?? [];
        ids.push(row.id as string);
        overLimit.set(row.api_key_id, ids);
      } else if (row.kind === 'live') {
        live.set(row.api_key_id, Number(row.live));
      } else {
        revoked.set(row.opened_id as string, row.id as string);
      }
    }
    return writes.map((write) => {
      const key = write.session.apiKeyId;
      const opened: OpenedSessionWrite = {
        liveSessions: null,
        overLimit: [],
        revokedOldest: revoked.get(write.session.id) ?? null,
      };
      if (write.limit.kind === 'count' && live.has(key)) {
        opened.liveSessions = live.get(key) as number;
        opened.overLimit = overLimit.get(key) ?? [];
        live.delete(key);
      }
      return opened;
    });
  }

  private async openOne(write: SessionOpeningWrite): Promise<OpenedSessionWrite> {
    const [opened] = await this.openAll([write], 'auth_open_session');
    return opened;
  }

  private async query<Row>(name: string, text: string, values: unknown[]): Promise<Row[]> {
    const { rows } = await this.pool.query<Row>({ name, text, values });
    return rows;
  }
}

import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { AuditService, toAuditEvent } from '../audit/audit.service';
import { AUTH_METRICS, type AuthMetricsSink } from '../metrics/auth-metrics';
import { uuidv7 } from '../common/ids';
import { RefreshTokenEntity } from './refresh-token.entity';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { issueRefreshToken } from './refresh-token-key';
import { RevocationFanout } from './revocation-fanout';
import { type Opening, SessionHeadroomTracker } from './session-headroom.tracker';
import { SessionLivenessCache } from './session-liveness.cache';
import {
  MAX_OVER_LIMIT_PER_OPENING,
  type OpenedSessionWrite,
  type OpeningLimit,
  SESSION_LIMIT_REVOCATION,
} from './session-writes';
import { SessionEntity, type SessionRevocationReason } from './session.entity';
import { SessionsRepository } from './sessions.repository';
import { DomainError } from '../common/domain-error';
import { nowMs } from '../common/clock';
import type { PageRequest } from '../common/pagination';
import { canActOn, type Principal } from '../common/principal';
import { TurnBatch } from '../database/turn-batch';
import { UnitOfWork } from '../database/unit-of-work';

export interface SessionOwner {
  apiUserId: string;
  apiKeyId: string;
  ip: string | null;
  /** The scopes granted (see grantedScope), space-separated; null: none. */
  scope: string | null;
  /** The resource asked for (see SessionEntity.audience); null: the default audience. */
  audience: string | null;
}

/** A session to end, with the address of the request that ends it. */
interface SessionEnd {
  session: Pick<SessionEntity, 'id' | 'apiUserId' | 'apiKeyId'>;
  ip: string | null;
}

export interface OpenedSession {
  session: SessionEntity;
  /** The first refresh token of the chain, in clear: returned once, stored only hashed. */
  refreshToken: string;
}

/** How long after an opening left its key beyond its cap the key is trimmed (trimLater). */
const TRIM_DELAY_MS = 250;
/** Sessions revoked per transaction of a trim. */
const TRIM_BATCH = 500;

@Injectable()
export class SessionsService implements OnModuleDestroy {
  private readonly logger = new Logger('Sessions');
  /** Keys with a trim scheduled or running, and whether to trim again after it (trimLater). */
  private readonly trims = new Map<
    string,
    { timer: NodeJS.Timeout; running: boolean; again: boolean }
  >();
  private destroyed = false;
  /** Sessions beyond their key's cap that an opening is revoking now. */
  private readonly endingOverLimit = new Set<string>();
  /** The sessions beyond their keys' caps named in one turn, revoked in one transaction. */
  private readonly overLimitRevocations = new TurnBatch<SessionEnd, void>(async (ends) => {
    await this.endAll(ends, 'session_limit', SESSION_LIMIT_REVOCATION.by);
    return ends.map(() => ({ ok: true as const, value: undefined }));
  });

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly audit: AuditService,
    private readonly liveness: SessionLivenessCache,
    private readonly headroom: SessionHeadroomTracker,
    private readonly fanout: RevocationFanout,
    private readonly unitOfWork: UnitOfWork,
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
    @Inject(AUTH_METRICS) private readonly metrics: AuthMetricsSink,
  ) {}

  /** A user's active sessions (not revoked, not past their absolute lifetime), newest first. */
  findActivePageOfUser(apiUserId: string, page: PageRequest): Promise<[SessionEntity[], number]> {
    return this.sessions.findActivePageOfUser(apiUserId, nowMs(), page);
  }

  /**
   * Revokes a session for a host app (no acting API user): its refresh and access tokens
   * stop working. True when it was live; revoking an unknown or revoked session does nothing.
   */
  async revokeById(sessionId: string): Promise<boolean> {
    const session = await this.sessions.findById(sessionId);
    return session ? this.end(session, 'revoked', 'host', null) : false;
  }

  /**
   * Revokes one session on behalf of its owner or an admin. Revoking a revoked session again
   * succeeds and changes nothing. A session the actor may not see is `not_found`.
   */
  async revoke(
    sessionId: string,
    actor: Principal,
    reason: Extract<SessionRevocationReason, 'logout' | 'revoked'>,
    ip: string | null,
  ): Promise<void> {
    const session = await this.sessions.findById(sessionId);
    // Another user's session answers like an unknown one: a 403 would confirm that the id
    // exists (and so that its owner is signed in).
    if (!session || !canActOn(actor, session.apiUserId)) {
      throw new DomainError('not_found', 'No such session.', 'id');
    }
    await this.end(session, reason, actor.apiUserId, ip);
  }

  /** Revokes one session with its audit event; true when it was live. Effective here at once. */
  private async end(
    session: Pick<SessionEntity, 'id' | 'apiUserId' | 'apiKeyId'>,
    reason: SessionRevocationReason,
    by: string,
    ip: string | null,
  ): Promise<boolean> {
    const [revoked] = await this.endAll([{ session, ip }], reason, by);
    return revoked;
  }

  /**
   * Revokes sessions in one transaction, each with its audit event; true for each that was
   * live. Effective here at once.
   */
  private async endAll(
    ends: SessionEnd[],
    reason: SessionRevocationReason,
    by: string,
  ): Promise<boolean[]> {
    const revoked = await this.unitOfWork.transaction(async (manager) => {
      const now = nowMs();
      const results: boolean[] = [];
      for (const { session, ip } of ends) {
        const live = await this.sessions.revoke(session.id, reason, now, manager);
        results.push(live);
        if (!live) continue;
        await this.audit.record(manager, {
          type: 'session.revoked',
          apiUserId: session.apiUserId,
          sessionId: session.id,
          apiKeyId: session.apiKeyId,
          ip,
          data: { reason, by },
        });
      }
      return results;
    });
    ends.forEach(({ session }) => {
      this.liveness.markRevoked(session.id);
      // A revocation for the cap is already in its key's count; any other makes room.
      if (reason !== 'session_limit') this.headroom.forget(session.apiKeyId);
    });
    this.fanout.announce(ends.filter((_, i) => revoked[i]).map(({ session }) => session.id));
    const count = revoked.filter(Boolean).length;
    if (count > 0) this.metrics.sessionsRevoked(reason, count);
    return revoked;
  }

  /**
   * Opens a session with generation 0 of its refresh-token chain and its `token.issued` audit
   * event, atomically: one prepared write of the dialect (it runs on every token request).
   * The key's cap (`maxSessionsPerApiKey`) costs that write nothing while the headroom tracker
   * knows the key has room. When it knows the key is at its cap, the write also revokes the
   * key's oldest live session (reason `session_limit`, with its audit event). Otherwise the
   * write counts the key's live sessions, names those beyond the cap, the oldest, and they are
   * revoked like any other revocation before the answer.
   */
  async open(owner: SessionOwner, now: number): Promise<OpenedSession> {
    const { session, link, refreshToken } = this.newSession(owner, now);
    const audit = {
      type: 'token.issued' as const,
      apiUserId: owner.apiUserId,
      sessionId: session.id,
      apiKeyId: owner.apiKeyId,
      ip: owner.ip,
    };
    const cap = this.options.maxSessionsPerApiKey;
    const statements = this.refreshTokens.statements();
    const opening =
      cap > 0 ? await this.headroom.begin(owner.apiKeyId, statements.ordered, session.id) : null;
    try {
      let opened: OpenedSessionWrite;
      try {
        opened = await statements.openSession({
          session,
          firstToken: link,
          audit: toAuditEvent(audit, now),
          limit: this.limitOf(opening, owner, now),
        });
      } catch (error) {
        // The headroom taken may not have been used: count again.
        if (opening) this.headroom.forget(owner.apiKeyId);
        throw error;
      }
      if (opened.revokedOldest !== null) {
        this.liveness.markRevoked(opened.revokedOldest);
        this.fanout.announce([opened.revokedOldest]);
        this.headroom.revokedOldest(owner.apiKeyId, opened.revokedOldest);
        this.metrics.sessionsRevoked('session_limit', 1);
      }
      // Nothing to revoke (fewer live sessions than thought, another revocation won, or every
      // older one is being revoked by openings still in progress): the next opening counts
      // again, and a trim brings the key back to its cap even if none comes.
      else if (opening?.kind === 'at-cap') {
        this.headroom.forget(owner.apiKeyId);
        this.trimLater(owner.apiKeyId);
      }
      if (opened.overLimit.length > 0) await this.endOverLimit(opened.overLimit, owner);
      // It named as many as one count may: there may be more.
      if (opened.overLimit.length >= MAX_OVER_LIMIT_PER_OPENING) this.trimLater(owner.apiKeyId);
      // Recorded once the sessions beyond the cap are revoked: an opening trusting the count
      // before then would revoke one of them again instead of the next oldest.
      if (opening?.kind === 'count' && opened.liveSessions !== null) {
        this.headroom.record(opening, cap - opened.liveSessions, now);
      }
    } finally {
      if (opening) this.headroom.finish(opening);
    }
    return { session, refreshToken };
  }

  private limitOf(opening: Opening | null, owner: SessionOwner, now: number): OpeningLimit {
    if (opening?.kind === 'count') {
      return { kind: 'count', maxLiveSessions: this.options.maxSessionsPerApiKey };
    }
    if (opening?.kind !== 'at-cap') return { kind: 'none' };
    // The revoked session and its user are filled in by the write, which finds them.
    const revocation = toAuditEvent(
      {
        type: 'session.revoked',
        apiUserId: owner.apiUserId,
        apiKeyId: owner.apiKeyId,
        ip: owner.ip,
        data: SESSION_LIMIT_REVOCATION,
      },
      now,
    );
    return {
      kind: 'revokeOldest',
      liveAt: opening.countedAt,
      revokedUpTo: opening.revokedUpTo,
      revokeBelow: opening.revokeBelow,
      audit: revocation,
      forgetSealed: this.options.refreshReuseGraceSeconds > 0,
    };
  }

  /**
   * Revokes sessions beyond their key's cap. Openings of one turn (one SQLite transaction,
   * one PostgreSQL statement) each see the others' new sessions before any old one is
   * revoked, so they name the same old sessions: each opening claims at once those no other
   * opening has claimed, and the turn's claims are revoked together, in one transaction.
   * The new session is committed by then: a failure here must not fail the request (an error
   * answer for a change made); the next opening for the key counts again, finds the same
   * sessions and tries again.
   */
  private async endOverLimit(overLimit: string[], owner: SessionOwner): Promise<void> {
    const claimed = overLimit.filter((id) => !this.endingOverLimit.has(id));
    claimed.forEach((id) => this.endingOverLimit.add(id));
    try {
      await Promise.all(
        claimed.map((id) =>
          this.overLimitRevocations.submit({
            session: { id, apiUserId: owner.apiUserId, apiKeyId: owner.apiKeyId },
            ip: owner.ip,
          }),
        ),
      );
    } catch (error) {
      this.headroom.forget(owner.apiKeyId);
      this.warnNotRevokedBeyondCap(error);
    } finally {
      claimed.forEach((id) => this.endingOverLimit.delete(id));
    }
  }

  /**
   * Revokes, a moment later, the key's live sessions beyond its cap that its openings left.
   * An opening at the cap revokes only sessions older than every opening of the key still in
   * progress here (Opening.revokeBelow), and a count names at most MAX_OVER_LIMIT_PER_OPENING.
   * On PostgreSQL, with more openings of one key in flight than it had older live sessions,
   * the others revoked nothing: thirty openings at a time on a cap of three left about thirty
   * sessions live, until later openings counted again. A trim keeps the newest `cap` sessions
   * committed. Those still being written are not seen; once written they can only push others
   * out of the newest `cap`, so it never revokes one that would be within the cap.
   */
  private trimLater(apiKeyId: string): void {
    if (this.destroyed) return;
    const pending = this.trims.get(apiKeyId);
    if (pending) {
      // A trim running may have read the key before this opening's session was written.
      if (pending.running) pending.again = true;
      return;
    }
    const trim = {
      timer: setTimeout(() => {
        trim.running = true;
        void this.trim(apiKeyId).finally(() => {
          this.trims.delete(apiKeyId);
          if (trim.again) this.trimLater(apiKeyId);
        });
      }, TRIM_DELAY_MS),
      running: false,
      again: false,
    };
    trim.timer.unref();
    this.trims.set(apiKeyId, trim);
  }

  private async trim(apiKeyId: string): Promise<void> {
    try {
      for (;;) {
        const beyond = await this.sessions.findLiveBeyondCap(
          apiKeyId,
          this.options.maxSessionsPerApiKey,
          nowMs(),
          TRIM_BATCH,
        );
        if (beyond.length === 0) return;
        const ends = beyond.map(({ id, apiUserId }) => ({
          session: { id, apiUserId, apiKeyId },
          ip: null,
        }));
        await this.endAll(ends, 'session_limit', SESSION_LIMIT_REVOCATION.by);
        if (beyond.length < TRIM_BATCH) return;
      }
    } catch (error) {
      this.warnNotRevokedBeyondCap(error);
    }
  }

  /** The error's name only: its message may carry SQL. */
  private warnNotRevokedBeyondCap(error: unknown): void {
    this.logger.warn(
      `could not revoke sessions beyond their key's cap: ${error instanceof Error ? error.name : 'error'}`,
    );
  }

  onModuleDestroy(): void {
    this.destroyed = true;
    for (const { timer } of this.trims.values()) clearTimeout(timer);
    this.trims.clear();
  }

  /** The rows of a new session: the session and generation 0 of its chain (nothing written). */
  private newSession(
    owner: SessionOwner,
    now: number,
  ): { session: SessionEntity; link: RefreshTokenEntity; refreshToken: string } {
    const session = new SessionEntity();
    session.id = uuidv7();
    session.apiUserId = owner.apiUserId;
    session.apiKeyId = owner.apiKeyId;
    session.createdAt = now;
    session.expiresAt = now + this.options.sessionMaxAgeSeconds * 1000;
    session.revokedAt = null;
    session.revokedReason = null;
    session.ip = owner.ip ? owner.ip.slice(0, 64) : null;
    session.scope = owner.scope;
    session.audience = owner.audience;

    const { token: refreshToken, key } = issueRefreshToken(now);
    const link = new RefreshTokenEntity();
    link.tokenHash = key;
    link.sessionId = session.id;
    link.generation = 0;
    link.createdAt = now;
    link.expiresAt = Math.min(now + this.options.refreshTokenTtlSeconds * 1000, session.expiresAt);
    link.consumedAt = null;
    link.successorHash = null;
    link.successorSealed = null;
    return { session, link, refreshToken };
  }

  /** Ends every live session of an API user (suspension), with one audit event each. */
  async revokeAllOfUser(
    manager: EntityManager,
    apiUserId: string,
    reason: SessionRevocationReason,
    now: number,
    ip: string | null,
  ): Promise<number> {
    const revoked = await this.sessions.revokeAllOfUser(apiUserId, reason, now, manager);
    const ids = revoked.map((session) => session.id);
    await this.auditRevocations(manager, ids, apiUserId, reason, ip);
    ids.forEach((id) => this.liveness.markRevoked(id));
    this.fanout.announce(ids, manager);
    // Counted before the caller's commit, as the liveness cache is told: a rollback (rare:
    // the caller's remaining writes failing) leaves the count one revocation ahead.
    if (ids.length > 0) this.metrics.sessionsRevoked(reason, ids.length);
    // Before the caller's commit: a suspended user's keys open no session meanwhile.
    new Set(revoked.map((session) => session.apiKeyId)).forEach((key) => this.headroom.forget(key));
    return ids.length;
  }

  /** Ends every live session of an API user in one transaction (reason `revoked`); how many. */
  revokeEveryOfUser(apiUserId: string, ip: string | null): Promise<number> {
    return this.unitOfWork.transaction((manager) =>
      this.revokeAllOfUser(manager, apiUserId, 'revoked', nowMs(), ip),
    );
  }

  /** Ends every live session opened with an API key (key revocation). */
  async revokeAllOfApiKey(
    manager: EntityManager,
    apiUserId: string,
    apiKeyId: string,
    reason: SessionRevocationReason,
    now: number,
    ip: string | null,
  ): Promise<void> {
    const revoked = await this.sessions.revokeAllOfApiKey(apiKeyId, reason, now, manager);
    const ids = revoked.map((session) => session.id);
    await this.auditRevocations(manager, ids, apiUserId, reason, ip);
    ids.forEach((id) => this.liveness.markRevoked(id));
    this.fanout.announce(ids, manager);
    if (ids.length > 0) this.metrics.sessionsRevoked(reason, ids.length); // as above
    // Before the caller's commit: a revoked key opens no session meanwhile.
    this.headroom.forget(apiKeyId);
  }

  private async auditRevocations(
    manager: EntityManager,
    sessionIds: string[],
    apiUserId: string,
    reason: SessionRevocationReason,
    ip: string | null,
  ): Promise<void> {
    await this.audit.record(
      manager,
      ...sessionIds.map((sessionId) => ({
        type: 'session.revoked' as const,
        apiUserId,
        sessionId,
        ip,
        data: { reason },
      })),
    );
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { clientAddress } from '../api-users/address-allow-list';
import { AuditService, toAuditEvent } from '../audit/audit.service';
import { nowMs } from '../common/clock';
import { DomainError } from '../common/domain-error';
import type { Role } from '../common/principal';
import { DatabaseTimeoutError, isDatabaseUnavailable } from '../database/database-unavailable';
import { UnitOfWork } from '../database/unit-of-work';
import { SigningKeysService } from '../keys/signing-keys.service';
import { AUTH_METRICS, type AuthMetricsSink, type RefreshResult } from '../metrics/auth-metrics';
import { type ExchangeCandidate, type ExchangeRefusal, refusalOf } from './exchange-candidate';
import { KeyUsageRecorder } from './key-usage.recorder';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { issueRefreshToken, refreshTokenKey } from './refresh-token-key';
import { RevocationFanout } from './revocation-fanout';
import { SessionHeadroomTracker } from './session-headroom.tracker';
import { SessionLivenessCache } from './session-liveness.cache';
import type { RotatedChain, RotationAttempt } from './session-writes';
import { UnansweredRotations } from './unanswered-rotations';
import { SessionsRepository } from './sessions.repository';

/** The outcome of a successful exchange, before any wire format names its fields. */
export interface Rotation {
  sessionId: string;
  apiUserId: string;
  apiKeyId: string;
  role: Role;
  /** The session's scopes, space-separated (the `scope` claim); null: none. */
  scope: string | null;
  /** The session's resource, its access tokens' `aud`; null: the default audience. */
  audience: string | null;
  /** The successor, in clear: handed to the caller, stored only as a hash. */
  refreshToken: string;
}

/** The metric outcome of each refusal that ends an exchange (`consumed` is judged further). */
const REFUSAL_RESULTS: Record<Exclude<ExchangeRefusal, 'consumed'>, RefreshResult> = {
  invalid_refresh_token: 'invalid',
  session_revoked: 'revoked',
  session_expired: 'expired',
  refresh_token_expired: 'expired',
};

/** Sealer purpose: successors kept for idempotent retries within the grace window. */
const SUCCESSOR_SEAL_PURPOSE = 'refresh-token-successor';

/**
 * The rotation rules of the contract, in one place. Every wire format (core, seed profiles,
 * OAuth) calls `exchange`; none holds rotation logic of its own.
 *
 * An exchange first tries to rotate in one write that checks the presented token and consumes
 * it only if nothing forbids it (SessionStatements.rotateIfAllowed): the path that succeeds
 * reads nothing beforehand. The winner among concurrent exchanges of one token is decided by
 * that write's conditional UPDATE (`... WHERE consumed_at IS NULL`). Only when it writes
 * nothing does the exchange read the token, to answer why (`refusalOf`, in the contract's
 * order) or to treat it as a replay.
 */
@Injectable()
export class RefreshRotationService {
  constructor(
    private readonly tokens: RefreshTokensRepository,
    private readonly sessions: SessionsRepository,
    private readonly liveness: SessionLivenessCache,
    private readonly headroom: SessionHeadroomTracker,
    private readonly fanout: RevocationFanout,
    private readonly audit: AuditService,
    private readonly keys: SigningKeysService,
    private readonly unitOfWork: UnitOfWork,
    private readonly unanswered: UnansweredRotations,
    private readonly keyUsage: KeyUsageRecorder,
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
    @Inject(AUTH_METRICS) private readonly metrics: AuthMetricsSink,
  ) {}

  /**
   * Exchanges a refresh token for its successor. `onlyForApiKey` restricts the exchange to
   * tokens of one API key (an OAuth client may refresh only its own): any other token is
   * treated as unknown and left untouched.
   */
  async exchange(
    presentedToken: string,
    ip: string | null,
    onlyForApiKey?: string,
  ): Promise<Rotation> {
    const presentedHash = refreshTokenKey(presentedToken);
    const { attempt, successor } = this.rotationAttempt(presentedHash, ip, onlyForApiKey);
    const now = attempt.now;
    const rotated = await this.rotateOrRemember(attempt);
    if (rotated) return this.rotation(rotated, successor, 'rotated');

    // Nothing was written. The token as it is now says why, the first failure answering.
    // Every refusal lasts: consumption, revocation and expiry are never undone, and
    // suspending a user revokes its sessions. So the read finds what the write found.
    const candidate = await this.tokens.findExchangeCandidate(presentedHash);
    const refusal = refusalOf(candidate, now, attempt.onlyForApiKey, attempt.clientAddress);
    // Consumed by an earlier exchange, or by a concurrent one that won: a replay. (Only a
    // token that was found can be consumed.) Or by this instance's own write that was
    // answered with a 503 and took effect afterwards: the chain goes on from there.
    if (refusal === 'consumed') {
      const resumed = this.unanswered.take(presentedHash, now)
        ? await this.resume(candidate as ExchangeCandidate, ip, onlyForApiKey)
        : null;
      return resumed ?? this.replay(candidate as ExchangeCandidate, now, ip);
    }
    // Nothing forbids the rotation, so only its deadline did: the database was too slow.
    if (refusal === null) throw new DatabaseTimeoutError(this.options.databaseTimeoutMs);
    this.metrics.refresh(REFUSAL_RESULTS[refusal]);
    throw new DomainError(refusal, undefined, 'refresh_token');
  }

  /**
   * The rotation's write; when the database is unavailable, the token is remembered as
   * answered with an error (see UnansweredRotations) before the error goes on to be answered.
   */
  private async rotateOrRemember(attempt: RotationAttempt): Promise<RotatedChain | null> {
    try {
      return await this.tokens.statements().rotateIfAllowed(attempt);
    } catch (error) {
      if (isDatabaseUnavailable(error)) this.unanswered.add(attempt.presentedHash, attempt.now);
      throw error;
    }
  }

  /**
   * A token presented again whose earlier exchange here was answered with 503 but found
   * consumed: that write took effect after the answer, and its successor was never handed
   * out. The exchange rotates that successor instead (by its hash: nothing else holds it), so
   * the client goes on with a new one and the session stays. Null when the successor cannot
   * be rotated (used, or the session ended): the presentation is then judged as a replay.
   */
  private async resume(
    candidate: ExchangeCandidate,
    ip: string | null,
    onlyForApiKey?: string,
  ): Promise<Rotation | null> {
    if (!candidate.successorHash) return null;
    const { attempt, successor } = this.rotationAttempt(candidate.successorHash, ip, onlyForApiKey);
    try {
      const rotated = await this.tokens.statements().rotateIfAllowed(attempt);
      return rotated ? this.rotation(rotated, successor, 'rotated') : null;
    } catch (error) {
      // Unanswered again: the next presentation of the same token resumes again.
      if (isDatabaseUnavailable(error)) this.unanswered.add(candidate.tokenHash, attempt.now);
      throw error;
    }
  }

  /**
   * The write that rotates the token hashed `presentedHash`, made now, with a new successor
   * (returned in clear for the answer), its audit event and its deadline.
   */
  private rotationAttempt(
    presentedHash: string,
    ip: string | null,
    onlyForApiKey?: string,
  ): { attempt: RotationAttempt; successor: string } {
    const now = nowMs();
    const { token: successor, key: successorHash } = issueRefreshToken(now);
    const graceEnabled = this.options.refreshReuseGraceSeconds > 0;
    const audit = toAuditEvent({ type: 'token.refreshed', ip }, now);
    const attempt: RotationAttempt = {
      presentedHash,
      now,
      successorHash,
      // Kept only when a retry may need it; see successorForRetry().
      successorSealed: graceEnabled ? this.successorSealer().seal(successor) : null,
      successorTtlMs: this.options.refreshTokenTtlSeconds * 1000,
      forgetSealed: graceEnabled,
      onlyForApiKey: onlyForApiKey ?? null,
      auditId: audit.id,
      auditIp: audit.ip,
      clientAddress: clientAddress(ip),
      deadline: now + this.options.databaseTimeoutMs,
    };
    return { attempt, successor };
  }

  /**
   * A consumed token presented again. Within the grace window, while its successor is still
   * unused, the same successor is answered again (rule 4). Anything else is reuse (rule 2):
   * the whole session is revoked, in a transaction of its own that commits although the
   * request fails.
   */
  private async replay(
    candidate: ExchangeCandidate,
    now: number,
    ip: string | null,
  ): Promise<Rotation> {
    const successor = await this.successorForRetry(candidate, now);
    if (successor !== undefined) return this.rotation(candidate, successor, 'grace_retry');

    const revokedNow = await this.unitOfWork.transaction(async (manager) => {
      const revoked = await this.sessions.revoke(
        candidate.sessionId,
        'refresh_token_reused',
        now,
        manager,
      );
      const reuse = {
        apiUserId: candidate.apiUserId,
        sessionId: candidate.sessionId,
        apiKeyId: candidate.apiKeyId,
        ip,
      };
      await this.audit.record(
        manager,
        { ...reuse, type: 'refresh_token.reused', data: { generation: candidate.generation } },
        ...(revoked
          ? [
              {
                ...reuse,
                type: 'session.revoked' as const,
                data: { reason: 'refresh_token_reused' },
              },
            ]
          : []),
      );
      return revoked;
    });
    this.liveness.markRevoked(candidate.sessionId);
    if (revokedNow) this.fanout.announce([candidate.sessionId]);
    this.headroom.forget(candidate.apiKeyId);
    this.metrics.refresh('reused');
    if (revokedNow) this.metrics.sessionsRevoked('refresh_token_reused', 1);
    // Logged by the filter that answers, in the request's context (its req_id).
    throw new DomainError('refresh_token_reused', undefined, 'refresh_token').withLogLine(
      `refresh token reuse detected: session ${candidate.sessionId} revoked`,
      { session_id: candidate.sessionId },
    );
  }

  /**
   * The successor to answer a retry with, or undefined when the grace rule does not apply.
   *
   * Answering a retry with the same successor means returning a token we store only as a
   * hash. The exchange therefore also stores the successor sealed (AES-256-GCM under a key
   * derived from the shared signing key, so any instance can open it), but only when a grace
   * window is configured, and erases it as soon as the successor is used (and, through the
   * periodic clean-up, once the window has passed). Outside that short window the database
   * again holds nothing but hashes.
   */
  private async successorForRetry(
    candidate: ExchangeCandidate,
    now: number,
  ): Promise<string | undefined> {
    const graceMs = this.options.refreshReuseGraceSeconds * 1000;
    if (graceMs === 0 || candidate.consumedAt === null || now - candidate.consumedAt >= graceMs)
      return undefined;
    if (!candidate.successorHash || !candidate.successorSealed) return undefined;
    if ((await this.tokens.isConsumed(candidate.successorHash)) !== false) return undefined;
    const successor = this.successorSealer().open(candidate.successorSealed);
    return successor !== undefined && refreshTokenKey(successor) === candidate.successorHash
      ? successor
      : undefined;
  }

  private successorSealer() {
    return this.keys.sealerFor(SUCCESSOR_SEAL_PURPOSE);
  }

  /** The answer of an exchange that hands out tokens, counted as `result`. */
  private rotation(
    chain: RotatedChain,
    refreshToken: string,
    result: 'rotated' | 'grace_retry',
  ): Rotation {
    this.metrics.refresh(result);
    this.metrics.tokenIssued('refresh_token');
    this.keyUsage.used(chain.apiKeyId, nowMs());
    return {
      sessionId: chain.sessionId,
      apiUserId: chain.apiUserId,
      apiKeyId: chain.apiKeyId,
      role: chain.role,
      scope: chain.scope,
      audience: chain.audience,
      refreshToken,
    };
  }
}

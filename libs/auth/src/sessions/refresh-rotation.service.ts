import { Inject, Injectable, Logger } from '@nestjs/common';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { AuditService, toAuditEvent } from '../audit/audit.service';
import { nowMs } from '../common/clock';
import { DomainError } from '../common/domain-error';
import type { Role } from '../common/principal';
import { UnitOfWork } from '../database/unit-of-work';
import { SigningKeysService } from '../keys/signing-keys.service';
import type { ExchangeCandidate } from './exchange-candidate';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { issueRefreshToken, refreshTokenKey } from './refresh-token-key';
import { SessionLivenessCache } from './session-liveness.cache';
import { SessionsRepository } from './sessions.repository';

/** The outcome of a successful exchange, before any wire format names its fields. */
export interface Rotation {
  sessionId: string;
  apiUserId: string;
  apiKeyId: string;
  role: Role;
  /** The successor, in clear: handed to the caller, stored only as a hash. */
  refreshToken: string;
}

/** Sealer purpose: successors kept for idempotent retries within the grace window. */
const SUCCESSOR_SEAL_PURPOSE = 'refresh-token-successor';

class LostRace extends Error {}

/**
 * The rotation rules of the contract, in one place. Every wire format (core, seed profiles,
 * OAuth) calls `exchange`; none holds rotation logic of its own.
 *
 * The winner among concurrent exchanges of one token is decided by the database: a
 * conditional UPDATE (`... WHERE consumed_at IS NULL`) whose affected-row count says who
 * won, inside the transaction that inserts the successor. Nothing is read, checked and then
 * written.
 */
@Injectable()
export class RefreshRotationService {
  private readonly logger = new Logger('RefreshRotation');

  constructor(
    private readonly tokens: RefreshTokensRepository,
    private readonly sessions: SessionsRepository,
    private readonly liveness: SessionLivenessCache,
    private readonly audit: AuditService,
    private readonly keys: SigningKeysService,
    private readonly unitOfWork: UnitOfWork,
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
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
    const tokenHash = refreshTokenKey(presentedToken);
    const candidate = await this.tokens.findExchangeCandidate(tokenHash);
    const now = nowMs();
    // Rule 7: the first failure of this order answers.
    if (!candidate || (onlyForApiKey !== undefined && candidate.apiKeyId !== onlyForApiKey)) {
      throw new DomainError('invalid_refresh_token', undefined, 'refresh_token');
    }
    if (
      candidate.sessionRevokedAt !== null ||
      candidate.apiKeyRevokedAt !== null ||
      candidate.userStatus !== 'active'
    ) {
      throw new DomainError('session_revoked', undefined, 'refresh_token');
    }
    if (now >= candidate.sessionExpiresAt)
      throw new DomainError('session_expired', undefined, 'refresh_token');
    if (candidate.consumedAt !== null) return this.replay(candidate, now, ip);
    if (now >= candidate.expiresAt)
      throw new DomainError('refresh_token_expired', undefined, 'refresh_token');

    try {
      return await this.rotate(candidate, now, ip);
    } catch (error) {
      if (!(error instanceof LostRace)) throw error;
      // Another exchange consumed the token between our read and our update: from here on
      // this request is a replay of a consumed token, like any other.
      const consumed = await this.tokens.findExchangeCandidate(tokenHash);
      if (!consumed || consumed.consumedAt === null) throw new Error('consumed token vanished');
      return this.replay(consumed, nowMs(), ip);
    }
  }

  private async rotate(
    candidate: ExchangeCandidate,
    now: number,
    ip: string | null,
  ): Promise<Rotation> {
    const { token: successor, key: successorHash } = issueRefreshToken(now);
    const graceEnabled = this.options.refreshReuseGraceSeconds > 0;
    const link = {
      tokenHash: successorHash,
      sessionId: candidate.sessionId,
      generation: candidate.generation + 1,
      createdAt: now,
      expiresAt: Math.min(
        now + this.options.refreshTokenTtlSeconds * 1000,
        candidate.sessionExpiresAt,
      ),
    };
    // Kept only when a retry may need it; see successorForRetry().
    const successorSealed = graceEnabled ? this.successorSealer().seal(successor) : null;
    const audit = {
      type: 'token.refreshed' as const,
      apiUserId: candidate.apiUserId,
      sessionId: candidate.sessionId,
      apiKeyId: candidate.apiKeyId,
      ip,
      data: { generation: link.generation },
    };

    const won = await this.tokens.statements().rotate({
      predecessorHash: candidate.tokenHash,
      consumedAt: now,
      successor: link,
      successorSealed,
      // The sealed copy of the token being used now, held by the link before it: no retry
      // within the grace window can need it any more.
      forgetSealedOfGeneration:
        graceEnabled && candidate.generation > 0 ? candidate.generation - 1 : undefined,
      audit: toAuditEvent(audit, now),
    });
    if (!won) throw new LostRace();
    return this.rotation(candidate, successor);
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
    if (successor !== undefined) return this.rotation(candidate, successor);

    await this.unitOfWork.transaction(async (manager) => {
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
    });
    this.liveness.markRevoked(candidate.sessionId);
    this.logger.warn(`refresh token reuse detected: session ${candidate.sessionId} revoked`);
    throw new DomainError('refresh_token_reused', undefined, 'refresh_token');
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

  private rotation(candidate: ExchangeCandidate, refreshToken: string): Rotation {
    return {
      sessionId: candidate.sessionId,
      apiUserId: candidate.apiUserId,
      apiKeyId: candidate.apiKeyId,
      role: candidate.role,
      refreshToken,
    };
  }
}

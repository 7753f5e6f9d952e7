import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { AuditService } from '../audit/audit.service';
import { nowMs } from '../common/clock';
import { repeatWhileFull, walkInKeyOrder } from '../database/bounded-steps';
import { UnitOfWork } from '../database/unit-of-work';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { SessionsRepository } from './sessions.repository';

const DAY_MS = 86_400_000;
/** Revoked sessions stay listed in the database (and answer `session_revoked`) this long. */
const REVOKED_RETENTION_MS = 7 * DAY_MS;
/**
 * How much one step of a pass may touch. Between steps the event loop gets a turn, so on
 * SQLite (whose queries run on it) a pass holds requests for one step at most. At a million
 * sessions and ten million tokens (`npm run bench:cleanup`), a pass that asked each table in
 * one statement stopped the event loop for 11 s; in these steps its longest pause was 25 ms
 * and its 99th percentile 6 ms, over a pass of 14 s.
 */
export interface CleanupStepSizes {
  /** Sessions examined per step. */
  sessions: number;
  /** Token rows deleted per transaction. */
  tokenDeletes: number;
  /** Token rows examined per step when erasing sealed successors. */
  tokenScan: number;
  /** Audit events past their retention deleted per transaction. */
  auditDeletes: number;
}

const DEFAULT_STEP_SIZES: CleanupStepSizes = {
  sessions: 200,
  tokenDeletes: 1000,
  tokenScan: 2000,
  auditDeletes: 1000,
};

export interface CleanupReport {
  sessionsDeleted: number;
  refreshTokensDeleted: number;
  sealedSuccessorsErased: number;
  auditEventsDeleted: number;
}

/**
 * Removes rows that can no longer matter, so token rows do not pile up forever: sessions past
 * their absolute lifetime, sessions revoked more than a week ago, and sessions whose every
 * refresh token has gone idle, each with its refresh tokens. Consumed tokens of a live
 * session are kept (reuse of one must still be detected). Also erases sealed successors whose
 * grace window has closed, and deletes audit events older than `auditRetentionDays`.
 */
@Injectable()
export class SessionCleanupService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SessionCleanup');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<CleanupReport> | undefined;
  /** Per instance, so a test can make steps small. */
  readonly stepSizes: CleanupStepSizes = { ...DEFAULT_STEP_SIZES };

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly tokens: RefreshTokensRepository,
    private readonly audit: AuditService,
    private readonly unitOfWork: UnitOfWork,
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.options.cleanupIntervalSeconds;
    if (seconds === 0) return;
    this.timer = setInterval(() => {
      this.run().catch((error: unknown) =>
        this.logger.error(`clean-up failed: ${error instanceof Error ? error.name : 'error'}`),
      );
    }, seconds * 1000);
    // The timer must never keep a process alive on its own.
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One full pass. Concurrent calls share the pass in progress. */
  run(now = nowMs()): Promise<CleanupReport> {
    this.running ??= this.pass(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(now: number): Promise<CleanupReport> {
    const report: CleanupReport = {
      sessionsDeleted: 0,
      refreshTokensDeleted: 0,
      sealedSuccessorsErased: 0,
      auditEventsDeleted: 0,
    };
    report.sealedSuccessorsErased = await this.forgetClosedSealedSuccessors(
      now - this.options.refreshReuseGraceSeconds * 1000,
    );
    const criteria = { now, revokedBefore: now - REVOKED_RETENTION_MS, idleBefore: now };
    await walkInKeyOrder(async (after) => {
      const step = await this.sessions.disposableAfter(after, criteria, this.stepSizes.sessions);
      if (step.disposable.length > 0) await this.deleteSessions(step.disposable, report);
      return step.last;
    });
    report.auditEventsDeleted = await this.deleteExpiredAuditEvents(now);
    if (
      report.sessionsDeleted > 0 ||
      report.sealedSuccessorsErased > 0 ||
      report.auditEventsDeleted > 0
    ) {
      this.logger.log(
        `removed ${report.sessionsDeleted} sessions, ${report.refreshTokensDeleted} refresh tokens and ${report.auditEventsDeleted} audit events; erased ${report.sealedSuccessorsErased} sealed successors`,
      );
    }
    return report;
  }

  /** Audit events past their retention, oldest first, a bounded number per transaction. */
  private deleteExpiredAuditEvents(now: number): Promise<number> {
    const days = this.options.auditRetentionDays;
    if (days === 0) return Promise.resolve(0);
    const limit = this.stepSizes.auditDeletes;
    return repeatWhileFull(limit, () =>
      this.audit.deleteSomeCreatedBefore(now - days * DAY_MS, limit),
    );
  }

  private async forgetClosedSealedSuccessors(cutoff: number): Promise<number> {
    let erased = 0;
    await walkInKeyOrder(async (after) => {
      const step = await this.unitOfWork.write(() =>
        this.tokens.forgetSealedSuccessorsAfter(after, cutoff, this.stepSizes.tokenScan),
      );
      erased += step.erased;
      return step.last;
    });
    return erased;
  }

  /**
   * Deletes sessions that can no longer matter, their tokens first, a bounded number per
   * transaction. Such a session stays disposable while its tokens go (nothing can extend an
   * expired, long-revoked or idle session), and a token whose row is gone answers
   * `invalid_refresh_token` as it will once its session is gone. A pass stopped halfway
   * leaves the session for the next pass to finish. No foreign key cascades: the tokens go by
   * these statements alone.
   */
  private async deleteSessions(ids: string[], report: CleanupReport): Promise<void> {
    const limit = this.stepSizes.tokenDeletes;
    report.refreshTokensDeleted += await repeatWhileFull(limit, () =>
      this.unitOfWork.transaction((manager) =>
        this.tokens.deleteSomeOfSessions(ids, limit, manager),
      ),
    );
    report.sessionsDeleted += await this.unitOfWork.transaction((manager) =>
      this.sessions.deleteByIds(ids, manager),
    );
  }
}

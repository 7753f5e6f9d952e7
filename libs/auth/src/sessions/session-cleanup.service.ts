import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { nowMs } from '../common/clock';
import { UnitOfWork } from '../database/unit-of-work';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { SessionsRepository } from './sessions.repository';

const DAY_MS = 86_400_000;
/** Revoked sessions stay listed in the database (and answer `session_revoked`) this long. */
const REVOKED_RETENTION_MS = 7 * DAY_MS;
/** Sessions per batch: each batch is one short transaction. */
const BATCH_SIZE = 500;

export interface CleanupReport {
  sessionsDeleted: number;
  refreshTokensDeleted: number;
  sealedSuccessorsErased: number;
}

/**
 * Removes rows that can no longer matter, so token rows do not pile up forever: sessions past
 * their absolute lifetime, sessions revoked more than a week ago, and sessions whose every
 * refresh token has gone idle, each with its refresh tokens. Consumed tokens of a live
 * session are kept (reuse of one must still be detected). Also erases sealed successors whose
 * grace window has closed.
 */
@Injectable()
export class SessionCleanupService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SessionCleanup');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<CleanupReport> | undefined;

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly tokens: RefreshTokensRepository,
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
    };
    const graceMs = this.options.refreshReuseGraceSeconds * 1000;
    report.sealedSuccessorsErased = await this.unitOfWork.write(() =>
      this.tokens.forgetSealedSuccessorsConsumedBefore(now - graceMs),
    );
    for (;;) {
      const ids = await this.sessions.findDisposable(
        now,
        now - REVOKED_RETENTION_MS,
        now,
        BATCH_SIZE,
      );
      if (ids.length === 0) break;
      await this.unitOfWork.transaction(async (manager) => {
        // No foreign key cascades: the tokens go by this statement alone.
        report.refreshTokensDeleted += await this.tokens.deleteOfSessions(ids, manager);
        report.sessionsDeleted += await this.sessions.deleteByIds(ids, manager);
      });
      if (ids.length < BATCH_SIZE) break;
    }
    if (report.sessionsDeleted > 0 || report.sealedSuccessorsErased > 0) {
      this.logger.log(
        `removed ${report.sessionsDeleted} sessions and ${report.refreshTokensDeleted} refresh tokens; erased ${report.sealedSuccessorsErased} sealed successors`,
      );
    }
    return report;
  }
}

import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Database } from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import { betterSqliteConnection } from '../../libs/auth/src/database/sqlite-connection';
import { UnitOfWork } from '../../libs/auth/src/database/unit-of-work';
import { RestartBackoff } from './restart-backoff';
import { describeFailure, WalCheckpointer } from './wal-checkpointer';

/** SQLite's default: checkpoint from within the commit that takes the WAL past 1000 pages. */
const AUTOMATIC_CHECKPOINT_PAGES = 1000;

/**
 * On the embedded database, moves WAL checkpoints off the request path (see WalCheckpointer).
 * While the worker is not running (it could not start, or it failed: a full disk fails its
 * checkpoints), SQLite's automatic checkpoints are on, and the worker is started again after
 * a delay that doubles from 1 s up to 30 s while it keeps failing.
 */
@Injectable()
export class SqliteCheckpointService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SqliteCheckpoint');
  private readonly backoff = new RestartBackoff(1000, 30_000);
  private db: Database | undefined;
  private checkpointer: WalCheckpointer | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private starting: Promise<void> | undefined;
  private shuttingDown = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  /** Whether the worker is checkpointing now (false between a failure and its restart). */
  get running(): boolean {
    return this.checkpointer !== undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    const db = betterSqliteConnection(this.dataSource);
    if (!db || db.memory) return;
    this.db = db;
    await this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    clearTimeout(this.restartTimer);
    await this.starting;
    const checkpointer = this.checkpointer;
    this.checkpointer = undefined;
    await checkpointer?.stop();
  }

  private start(): Promise<void> {
    this.starting = this.startWorker().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async startWorker(): Promise<void> {
    const db = this.db as Database;
    const checkpointer: WalCheckpointer = new WalCheckpointer({
      file: db.name,
      // Every write on this connection goes through UnitOfWork's queue.
      pauseWrites: (work) => this.unitOfWork.pauseWrites(work),
      onFailure: (error) => this.failed(checkpointer, error),
      onCheckpoint: ({ log, checkpointed }) => {
        // Frames copied into the database file: writing there works again.
        if (checkpointed > 0 && checkpointed === log) this.backoff.succeeded();
      },
    });
    try {
      await checkpointer.start();
    } catch (error) {
      this.logger.warn(
        `checkpoint worker not started (${describeFailure(error)}); SQLite checkpoints in commits; next attempt in ${this.scheduleRestart()} ms`,
      );
      return;
    }
    if (this.shuttingDown) {
      await checkpointer.stop();
      return;
    }
    db.pragma('wal_autocheckpoint = 0');
    this.checkpointer = checkpointer;
  }

  /** A worker stopped without being asked to: checkpoints go back into commits until a restart. */
  private failed(checkpointer: WalCheckpointer, error: Error): void {
    // A worker that dies reports twice (its error, then its exit): the first report counts.
    if (this.checkpointer !== checkpointer) return;
    this.checkpointer = undefined;
    if (this.db?.open) this.db.pragma(`wal_autocheckpoint = ${AUTOMATIC_CHECKPOINT_PAGES}`);
    if (this.shuttingDown) return;
    this.logger.error(
      `checkpoint worker stopped (${describeFailure(error)}); SQLite checkpoints in commits; restarting it in ${this.scheduleRestart()} ms`,
    );
  }

  /** Schedules the next start; returns its delay. */
  private scheduleRestart(): number {
    const delay = this.backoff.next();
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.shuttingDown) void this.start();
    }, delay);
    // A pending restart never keeps the process alive.
    this.restartTimer.unref();
    return delay;
  }
}

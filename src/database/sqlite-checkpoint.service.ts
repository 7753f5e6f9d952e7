import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { betterSqliteConnection } from '../../libs/auth/src/database/sqlite-connection';
import { UnitOfWork } from '../../libs/auth/src/database/unit-of-work';
import { WalCheckpointer } from './wal-checkpointer';

/** SQLite's default: checkpoint from within the commit that takes the WAL past 1000 pages. */
const AUTOMATIC_CHECKPOINT_PAGES = 1000;

/**
 * On the embedded database, moves WAL checkpoints off the request path (see WalCheckpointer).
 * If the worker cannot start or stops, SQLite's automatic checkpoints stay or come back on.
 */
@Injectable()
export class SqliteCheckpointService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SqliteCheckpoint');
  private checkpointer: WalCheckpointer | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const db = betterSqliteConnection(this.dataSource);
    if (!db || db.memory) return;
    const checkpointer = new WalCheckpointer({
      file: db.name,
      // Every write on this connection goes through UnitOfWork's queue.
      pauseWrites: (work) => this.unitOfWork.pauseWrites(work),
      onFailure: (error) => {
        this.logger.error(
          `checkpoint worker stopped (${error.message}); SQLite checkpoints in commits again`,
        );
        if (db.open) db.pragma(`wal_autocheckpoint = ${AUTOMATIC_CHECKPOINT_PAGES}`);
      },
    });
    try {
      await checkpointer.start();
    } catch (error) {
      this.logger.warn(
        `checkpoint worker not started (${error instanceof Error ? error.message : String(error)}); SQLite checkpoints in commits`,
      );
      return;
    }
    db.pragma('wal_autocheckpoint = 0');
    this.checkpointer = checkpointer;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.checkpointer?.stop();
    this.checkpointer = undefined;
  }
}

import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { UnitOfWork } from '../../libs/auth/src/database/unit-of-work';
import { within } from '../../libs/auth/src/database/within';

/**
 * Injects how long readiness waits for the probe's write: DATABASE_TIMEOUT_MS, the deadline
 * requests have, so that readiness fails when requests would, and not merely under load.
 */
export const WRITE_PROBE_TIMEOUT_MS = Symbol('WRITE_PROBE_TIMEOUT_MS');

/**
 * Below this much free space beside an SQLite database, readiness says 503. SQLite in WAL mode
 * reuses its log file from the start after each checkpoint, so a small write can still commit
 * into space the log already holds while the disk is full: the probe's write alone would stay
 * green until a larger transaction, a checkpoint growing the database file, or the log
 * outgrowing its old size failed with SQLITE_FULL. The free space says it before they fail.
 * 8 MiB holds two default WAL cycles (1000 pages of 4 KiB each).
 */
export const MIN_FREE_BYTES = 8 * 1024 * 1024;

/**
 * Proves the database can still commit a write: it rewrites the single `health_probe` row
 * (migrations create it) and, on SQLite, also checks the free space of the database's folder.
 * A ping would not do: it reads, and a full disk still serves reads.
 *
 * One probe is in flight at a time. Concurrent readiness checks share it, and while a probe is
 * stuck (a frozen database) no further write is sent: each check fails after its own timeout
 * and the next probe starts only once the stuck one has settled.
 */
@Injectable()
export class DatabaseWriteProbe {
  private inFlight: Promise<void> | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    @Inject(WRITE_PROBE_TIMEOUT_MS) private readonly timeoutMs: number,
  ) {}

  /** Resolves when a write committed within `timeoutMs`; rejects with the reason otherwise. */
  check(timeoutMs = this.timeoutMs): Promise<void> {
    this.inFlight ??= this.probe(timeoutMs).finally(() => {
      this.inFlight = undefined;
    });
    return within(this.inFlight, timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`));
  }

  private async probe(timeoutMs: number): Promise<void> {
    if (!this.dataSource.isInitialized) throw new Error('database closed');
    if (this.dataSource.options.type === 'postgres') {
      await this.dataSource.transaction(async (manager) => {
        // PostgreSQL itself gives up on a row lock or a stuck statement: the connection comes
        // back to the pool instead of waiting for as long as the database does.
        await manager.query(`SET LOCAL statement_timeout = ${Math.ceil(timeoutMs)}`);
        await manager.query('UPDATE health_probe SET checked_at = $1 WHERE id = 1', [Date.now()]);
      });
      return;
    }
    const file = this.dataSource.options.database;
    if (typeof file === 'string' && file !== ':memory:') {
      const { bavail, bsize } = await statfs(dirname(file));
      const free = bavail * bsize;
      if (free < MIN_FREE_BYTES) throw new Error(`disk nearly full: ${free} bytes free`);
    }
    // Through the write queue, so the statement cannot land inside another caller's transaction.
    await this.unitOfWork.write((manager) =>
      manager.query('UPDATE health_probe SET checked_at = ? WHERE id = 1', [Date.now()]),
    );
  }
}

import type { Database } from 'better-sqlite3';
import { outcomeOf, TurnBatch } from './turn-batch';

/** Runs synchronous work when no queued ORM transaction is open (UnitOfWork.exclusive). */
export type ExclusiveRunner = <T>(work: () => T) => Promise<T>;

type Work = () => unknown;

/**
 * Group commit for SQLite's hot-path writes. Writes submitted during one turn of the event
 * loop are committed together, in one transaction, on the next (TurnBatch): a commit
 * costs far more than the few rows a rotation writes, so under load each request pays a
 * fraction of one. Nothing is answered before its commit: every submitter's promise settles
 * only once the batch's transaction has committed (or failed).
 *
 * Each write is itself a better-sqlite3 transaction function, so inside the batch it runs as
 * a SAVEPOINT: one that throws is rolled back alone and rejects alone; the others commit.
 */
export class SqliteGroupCommit {
  private readonly batch: TurnBatch<Work, unknown>;

  constructor(db: Database, exclusive: ExclusiveRunner) {
    const commitBatch = db.transaction((works: Work[]) => works.map((work) => outcomeOf(work)));
    // A commit that fails rejects the runner: nothing of the batch was written.
    this.batch = new TurnBatch((works) => exclusive(() => commitBatch(works)));
  }

  /** Runs `work` (a better-sqlite3 transaction function) in the next batch. */
  submit<T>(work: () => T): Promise<T> {
    return this.batch.submit(work) as Promise<T>;
  }
}

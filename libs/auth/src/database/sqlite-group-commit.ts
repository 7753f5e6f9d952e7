import type { Database } from 'better-sqlite3';

/** Runs synchronous work when no queued ORM transaction is open (UnitOfWork.exclusive). */
export type ExclusiveRunner = <T>(work: () => T) => Promise<T>;

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for SQLite's hot-path writes. Writes submitted during one turn of the event
 * loop are committed together, in one transaction, on the next (setImmediate): a commit
 * costs far more than the few rows a rotation writes, so under load each request pays a
 * fraction of one. Nothing is answered before its commit: every submitter's promise settles
 * only once the batch's transaction has committed (or failed).
 *
 * Each write is itself a better-sqlite3 transaction function, so inside the batch it runs as
 * a SAVEPOINT: one that throws is rolled back alone and rejects alone; the others commit.
 */
export class SqliteGroupCommit {
  private pending: Pending[] = [];
  private readonly commitBatch: (batch: Pending[]) => { ok: boolean; value: unknown }[];

  constructor(
    db: Database,
    private readonly exclusive: ExclusiveRunner,
  ) {
    this.commitBatch = db.transaction((batch: Pending[]) =>
      batch.map((item) => {
        try {
          return { ok: true, value: item.work() };
        } catch (error) {
          return { ok: false, value: error };
        }
      }),
    );
  }

  /** Runs `work` (a better-sqlite3 transaction function) in the next batch. */
  submit<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    this.exclusive(() => this.commitBatch(batch)).then(
      (outcomes) =>
        outcomes.forEach((outcome, i) =>
          outcome.ok ? batch[i].resolve(outcome.value) : batch[i].reject(outcome.value),
        ),
      // The commit itself failed: nothing of the batch was written.
      (error: unknown) => batch.forEach((item) => item.reject(error)),
    );
  }
}

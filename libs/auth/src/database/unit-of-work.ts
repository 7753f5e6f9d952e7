import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

/**
 * Runs writes atomically on either dialect.
 *
 * TypeORM's SQLite drivers share one connection for the whole process, so two concurrent
 * `dataSource.transaction()` calls would interleave their statements inside one SQLite
 * transaction (the second becomes a savepoint of the first). On SQLite every write
 * therefore goes through one queue; SQLite allows a single writer anyway. PostgreSQL gets
 * real concurrent transactions from its pool.
 */
@Injectable()
export class UnitOfWork {
  private tail: Promise<unknown> = Promise.resolve();
  /** What to do once a transaction commits, by the manager running it (see afterCommit). */
  private readonly onCommit = new WeakMap<EntityManager, (() => void)[]>();
  readonly serialized: boolean;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.serialized = dataSource.options.type === 'better-sqlite3';
  }

  /** Runs `work` in one transaction; it commits when `work` resolves and rolls back otherwise. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.enqueue(async () => {
      let used: EntityManager | undefined;
      const result = await this.dataSource.transaction((manager) => {
        used = manager;
        return work(manager);
      });
      const callbacks = used && this.onCommit.get(used);
      callbacks?.forEach((callback) => callback());
      return result;
    });
  }

  /**
   * Calls `callback` once the transaction of `manager` (one of `transaction`'s) has committed,
   * never if it rolls back; at once for a manager outside a transaction. For telling others
   * about a change only when it is there for them to see.
   */
  afterCommit(manager: EntityManager, callback: () => void): void {
    if (!manager.queryRunner?.isTransactionActive) {
      callback();
      return;
    }
    const callbacks = this.onCommit.get(manager) ?? [];
    callbacks.push(callback);
    this.onCommit.set(manager, callbacks);
  }

  /** A single statement outside a transaction, still queued behind open SQLite transactions. */
  write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.enqueue(() => work(this.dataSource.manager));
  }

  /**
   * Runs synchronous work (a better-sqlite3 transaction) when no queued transaction is open,
   * so its statements cannot land inside one. Only meaningful on SQLite.
   */
  exclusive<T>(work: () => T): Promise<T> {
    return this.enqueue(() => Promise.resolve(work()));
  }

  /**
   * Runs `work` while no queued write can start: the writes submitted meanwhile wait for it
   * to settle (on SQLite; elsewhere `work` simply runs). The WAL checkpointer pauses writes
   * this way for a moment so that SQLite can start its log over.
   */
  pauseWrites<T>(work: () => Promise<T>): Promise<T> {
    return this.enqueue(work);
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    if (!this.serialized) {
      return task();
    }
    const result = this.tail.then(task, task);
    // The queue must move on whether this task succeeds or fails.
    this.tail = result.catch(() => undefined);
    return result;
  }
}

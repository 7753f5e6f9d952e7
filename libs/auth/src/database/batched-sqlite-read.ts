import type { Statement } from 'better-sqlite3';
import type { KeyedRead } from './keyed-read';
import { type ItemOutcome, TurnBatch } from './turn-batch';

/**
 * A hot-path read on SQLite whose calls in one turn of the event loop run together on the next
 * (TurnBatch), one synchronous statement each. The statement costs the same either way; what
 * changes is that the requests of a turn are then answered together, which under load makes
 * the event loop and the kernel handle the sockets in bursts instead of one by one. Measured:
 * nearly half the CPU per request of `GET /api-users/me` (BENCHMARKS.md).
 */
export function batchedSqliteRead<Row>(statement: Statement<[string], Row>): KeyedRead<Row> {
  const batch = new TurnBatch((keys: string[]) =>
    Promise.resolve(keys.map((key) => readOne(() => statement.get(key)))),
  );
  return (key) => batch.submit(key);
}

function readOne<Row>(read: () => Row | undefined): ItemOutcome<Row | undefined> {
  try {
    return { ok: true, value: read() };
  } catch (error) {
    return { ok: false, error };
  }
}

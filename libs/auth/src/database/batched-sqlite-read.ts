import type { Statement } from 'better-sqlite3';
import type { KeyedRead } from './keyed-read';
import { type ItemOutcome, outcomeOf, TurnBatch } from './turn-batch';

/**
 * A hot-path read on SQLite whose calls in one turn of the event loop run together on the next
 * (TurnBatch), one synchronous statement each. The statement costs the same either way; what
 * changes is that the requests of a turn are then answered together, which under load makes
 * the event loop and the kernel handle the sockets in bursts instead of one by one. Measured:
 * nearly half the CPU per request of `GET /api-users/me` (BENCHMARKS.md). As in the
 * PostgreSQL batch, a key asked for several times in one turn is read once.
 */
export function batchedSqliteRead<Row>(statement: Statement<[string], Row>): KeyedRead<Row> {
  const batch = new TurnBatch((keys: string[]) => {
    const outcomes = new Map<string, ItemOutcome<Row | undefined>>();
    return Promise.resolve(
      keys.map((key) => {
        let outcome = outcomes.get(key);
        if (!outcome) {
          outcome = outcomeOf(() => statement.get(key));
          outcomes.set(key, outcome);
        }
        return outcome;
      }),
    );
  });
  return (key) => batch.submit(key);
}

import type { PgQueryable } from './postgres-pool';
import type { KeyedRead } from './keyed-read';
import { TurnBatch } from './turn-batch';

/**
 * A hot-path read on PostgreSQL whose calls in one turn of the event loop share one query
 * (TurnBatch): a lone call sends `sql` (which matches its key as `= $1`, once), several send
 * its array form (manyKeysSql) once. Both are named statements, parsed and planned once per
 * connection. `keyOf` tells which row answers which key.
 */
export function batchedPgRead<Row>(
  pool: PgQueryable,
  name: string,
  sql: string,
  keyOf: (row: Row) => string,
): KeyedRead<Row> {
  const many = manyKeysSql(sql);
  const batch = new TurnBatch(async (keys: string[]) => {
    const { rows } =
      keys.length === 1
        ? await pool.query<Row>({ name, text: sql, values: keys })
        : await pool.query<Row>({
            name: `${name}_batch`,
            text: many,
            values: [[...new Set(keys)]],
          });
    const byKey = new Map(rows.map((row) => [keyOf(row), row]));
    return keys.map((key) => ({ ok: true as const, value: byKey.get(key) }));
  });
  return (key) => batch.submit(key);
}

/** `sql` with its one `= $1` turned into `= ANY($1::text[])`. */
export function manyKeysSql(sql: string): string {
  const matches = sql.match(/= \$1\b/g) ?? [];
  if (matches.length !== 1) throw new Error(`expected exactly one "= $1" in: ${sql}`);
  return sql.replace(/= \$1\b/, '= ANY($1::text[])');
}

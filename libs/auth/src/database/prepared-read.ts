import type { DataSource } from 'typeorm';
import { batchedPgRead, manyKeysSql } from './batched-pg-read';
import { postgresPool } from './postgres-pool';
import { batchedSqliteRead } from './batched-sqlite-read';
import type { KeyedRead } from './keyed-read';
import { betterSqliteConnection } from './sqlite-connection';

/** A hot-path read by one key (see preparedRead). */
export type PreparedRead<Row> = KeyedRead<Row>;

/**
 * A read that runs on every request of a hot route, as a prepared statement of the data
 * source's dialect instead of an ORM query (whose query building costs more than the read).
 * `sql` matches its key as `= $1`, once; `key` is the column of the row that holds it.
 * Prepared on first use, after migrations. Rows come as the driver gives them: PostgreSQL
 * returns bigint columns as strings.
 *
 * The reads made in one turn of the event loop run together on the next: on PostgreSQL as one
 * query (batchedPgRead), on SQLite as one synchronous statement each (batchedSqliteRead).
 */
export function preparedRead<Row>(
  dataSource: DataSource,
  name: string,
  sql: string,
  key: keyof Row & string,
): PreparedRead<Row> {
  // Checked here, not on the first request: a read that cannot batch is a programming error.
  const many = manyKeysSql(sql);
  let read: PreparedRead<Row> | undefined;
  // The dialect is looked up once, on the first read: not on every request.
  return (value) => (read ??= prepare<Row>(dataSource, { name, one: sql, many }, key))(value);
}

function prepare<Row>(
  dataSource: DataSource,
  statements: { name: string; one: string; many: string },
  key: keyof Row & string,
): PreparedRead<Row> {
  const db = betterSqliteConnection(dataSource);
  if (db) {
    const statement = db.prepare<[string], Row>(statements.one.replace('$1', '?'));
    return batchedSqliteRead(statement);
  }
  const pool = postgresPool(dataSource);
  if (!pool) throw new Error(`unsupported database type: ${dataSource.options.type}`);
  return batchedPgRead<Row>(pool, statements, (row) => String(row[key]));
}

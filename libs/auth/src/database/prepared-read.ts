import type { DataSource } from 'typeorm';
import { authTableRenamer } from './auth-tables';
import { batchedPgRead } from './batched-pg-read';
import { postgresPool } from './postgres-pool';
import { batchedSqliteRead } from './batched-sqlite-read';
import type { KeyedRead } from './keyed-read';
import { betterSqliteConnection } from './sqlite-connection';

/**
 * A read that runs on every request of a hot route, as a prepared statement of the data
 * source's dialect instead of an ORM query (whose query building costs more than the read).
 * `sql` matches its key as `= $1`, once, and names the library's tables unprefixed (they are
 * renamed to the data source's table names when prepared); `key` is the column of the row
 * that holds it. On
 * PostgreSQL each query gives up after `timeoutMs` (DATABASE_TIMEOUT_MS).
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
  timeoutMs?: number,
): KeyedRead<Row> {
  let read: KeyedRead<Row> | undefined;
  // The dialect is looked up once, on the first read: not on every request.
  return (value) => (read ??= prepare<Row>(dataSource, name, sql, key, timeoutMs))(value);
}

function prepare<Row>(
  dataSource: DataSource,
  name: string,
  sql: string,
  key: keyof Row & string,
  timeoutMs: number | undefined,
): KeyedRead<Row> {
  sql = authTableRenamer(dataSource)(sql);
  const db = betterSqliteConnection(dataSource);
  if (db) return batchedSqliteRead(db.prepare<[string], Row>(sql.replace('$1', '?')));
  const pool = postgresPool(dataSource, timeoutMs);
  if (!pool) throw new Error(`unsupported database type: ${dataSource.options.type}`);
  return batchedPgRead<Row>(pool, name, sql, (row) => String(row[key]));
}

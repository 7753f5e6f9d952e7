import type { DataSource } from 'typeorm';
import { postgresPool } from './postgres-pool';
import { betterSqliteConnection } from './sqlite-connection';

/** A one-row read by one parameter; undefined when no row matches. */
export type PreparedRead<Row> = (parameter: string) => Promise<Row | undefined>;

/**
 * A read that runs on every request of a hot route, as a prepared statement of the data
 * source's dialect instead of an ORM query (whose query building costs more than the read):
 * a better-sqlite3 statement, or a named PostgreSQL statement (parsed and planned once per
 * connection). `sql` takes its parameter as `$1`. Prepared on first use, after migrations.
 * Rows come as the driver gives them: PostgreSQL returns bigint columns as strings.
 */
export function preparedRead<Row>(
  dataSource: DataSource,
  name: string,
  sql: string,
): PreparedRead<Row> {
  let read: PreparedRead<Row> | undefined;
  // The dialect is looked up once, on the first read: not on every request.
  return (parameter) => (read ??= prepare<Row>(dataSource, name, sql))(parameter);
}

function prepare<Row>(dataSource: DataSource, name: string, sql: string): PreparedRead<Row> {
  const db = betterSqliteConnection(dataSource);
  if (db) {
    const statement = db.prepare<[string], Row>(sql.replace('$1', '?'));
    return (parameter) => Promise.resolve(statement.get(parameter));
  }
  const pool = postgresPool(dataSource);
  if (!pool) throw new Error(`unsupported database type: ${dataSource.options.type}`);
  return (parameter) =>
    pool.query<Row>({ name, text: sql, values: [parameter] }).then(({ rows }) => rows[0]);
}

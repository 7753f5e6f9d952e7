import type { DataSource } from 'typeorm';
import { DatabaseTimeoutError } from './database-unavailable';
import { within } from './within';

/** The slice of node-postgres' Pool the hot paths use (named statements). */
export interface PgQueryable {
  query<Row>(config: {
    name: string;
    text: string;
    values: unknown[];
  }): Promise<{ rows: Row[]; rowCount: number | null }>;
}

/**
 * The node-postgres pool behind a TypeORM data source, or undefined on another dialect. Hot
 * paths send their named statements through it; ORM queries stay for the rest. With
 * `timeoutMs`, each call gives up after that long (DatabaseTimeoutError), whether it was
 * waiting for a connection, for the server, or for a server that stopped answering: the pool
 * is the host's, and its own timeouts may be unset.
 */
export function postgresPool(dataSource: DataSource, timeoutMs?: number): PgQueryable | undefined {
  if (dataSource.options.type !== 'postgres') return undefined;
  const pool = (dataSource.driver as unknown as { master: PgQueryable }).master;
  return timeoutMs === undefined ? pool : withDeadline(pool, timeoutMs);
}

function withDeadline(pool: PgQueryable, timeoutMs: number): PgQueryable {
  return {
    query: (config) =>
      within(pool.query(config), timeoutMs, () => new DatabaseTimeoutError(timeoutMs)),
  };
}

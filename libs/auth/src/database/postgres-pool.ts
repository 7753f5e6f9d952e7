import type { DataSource } from 'typeorm';
import type { PgQueryable } from '../sessions/postgres-session.statements';

/**
 * The node-postgres pool behind a TypeORM data source, or undefined on another dialect. Hot
 * paths send their named statements through it; ORM queries stay for the rest.
 */
export function postgresPool(dataSource: DataSource): PgQueryable | undefined {
  if (dataSource.options.type !== 'postgres') return undefined;
  return (dataSource.driver as unknown as { master: PgQueryable }).master;
}

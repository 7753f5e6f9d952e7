import type { Database } from 'better-sqlite3';
import type { DataSource } from 'typeorm';

/**
 * The raw better-sqlite3 connection behind a TypeORM data source, or undefined on another
 * dialect. Hot paths prepare their statements on it once; ORM queries stay for the rest.
 */
export function betterSqliteConnection(dataSource: DataSource): Database | undefined {
  if (dataSource.options.type !== 'better-sqlite3') return undefined;
  return (dataSource.driver as unknown as { databaseConnection: Database }).databaseConnection;
}

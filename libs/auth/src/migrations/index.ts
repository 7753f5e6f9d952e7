import type { MigrationInterface } from 'typeorm';
import { PostgresInitialSchema1795347651853 } from './postgres/1795347651853-initial-schema';
import { SqliteInitialSchema1795347634234 } from './sqlite/1795347634234-initial-schema';

type MigrationClass = new () => MigrationInterface;

/**
 * Migrations by dialect, listed explicitly (file globs break between ts sources and
 * compiled js). A host passes the list matching its data source.
 */
export const AUTH_MIGRATIONS: { sqlite: MigrationClass[]; postgres: MigrationClass[] } = {
  sqlite: [SqliteInitialSchema1795347634234],
  postgres: [PostgresInitialSchema1795347651853],
};

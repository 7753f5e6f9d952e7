import type { DataSource } from 'typeorm';

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
 * paths send their named statements through it; ORM queries stay for the rest.
 */
export function postgresPool(dataSource: DataSource): PgQueryable | undefined {
  if (dataSource.options.type !== 'postgres') return undefined;
  return (dataSource.driver as unknown as { master: PgQueryable }).master;
}

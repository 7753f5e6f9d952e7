import { DataSource, type DataSourceOptions } from 'typeorm';

/** An arbitrary, fixed key for the advisory lock that serialises migrations across instances. */
const MIGRATION_LOCK_KEY = 7_302_118_405;

/**
 * Opens the data source and brings its schema up to date. On PostgreSQL, instances starting
 * together take turns through an advisory lock: without it both would run the first
 * migration, and one would fail on objects the other had just created.
 */
export async function initializeWithMigrations(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = await new DataSource(options).initialize();
  try {
    if (dataSource.options.type !== 'postgres') {
      await dataSource.runMigrations({ transaction: 'all' });
      return dataSource;
    }
    const lock = dataSource.createQueryRunner();
    await lock.connect();
    try {
      await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      await dataSource.runMigrations({ transaction: 'all' });
    } finally {
      await lock
        .query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY])
        .catch(() => undefined);
      await lock.release();
    }
    return dataSource;
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
}

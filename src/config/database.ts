import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DataSourceOptions, LogLevel } from 'typeorm';
import { AUTH_ENTITIES, AUTH_MIGRATIONS } from '../../libs/auth/src';
import type { DatabaseConfig } from './env';

/**
 * The one place DataSource options are built: the app and `ormconfig.ts` (the TypeORM CLI)
 * both call it, so they cannot disagree. Schema changes come only from migrations.
 */
export function buildDataSourceOptions(config: DatabaseConfig): DataSourceOptions {
  const common = {
    entities: AUTH_ENTITIES,
    synchronize: false,
    migrationsRun: false,
    logging: (config.logging ? ['error', 'warn', 'migration'] : ['migration']) as LogLevel[],
  };
  if (config.type === 'postgres') {
    return {
      ...common,
      type: 'postgres',
      url: config.url,
      migrations: AUTH_MIGRATIONS.postgres,
      // DATABASE_TIMEOUT_MS bounds every ORM query: waiting for a connection (a server that
      // accepts no connection, or a full pool), waiting for an answer on the client's side (a
      // server that stopped answering), and on the server's side (statement_timeout cancels a
      // slow statement there, so it does not go on to commit after the request gave up).
      extra: {
        max: 10,
        connectionTimeoutMillis: config.timeoutMs,
        query_timeout: config.timeoutMs,
        statement_timeout: config.timeoutMs,
      },
    };
  }
  const file = resolve(config.path);
  mkdirSync(dirname(file), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: file,
    migrations: AUTH_MIGRATIONS.sqlite,
    // WAL lets readers proceed during a write; the busy timeout makes a second process
    // (the CLI, a second server) wait for the lock instead of failing, up to the deadline.
    enableWAL: true,
    timeout: config.timeoutMs,
    prepareDatabase: (db: { pragma: (sql: string) => unknown }) => {
      db.pragma('synchronous = NORMAL');
      // The hot path's writes of one turn commit together, each in a savepoint of its own
      // (SqliteGroupCommit). A savepoint keeps the pages it changes in a sub-journal, which
      // SQLite spills past 64 KiB to a temporary file: under load that was a file created,
      // written (about as many writes as the WAL's) and deleted per commit. In memory, none.
      db.pragma('temp_store = MEMORY');
      db.pragma('foreign_keys = ON');
    },
  };
}

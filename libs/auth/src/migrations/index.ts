import type { MigrationInterface, QueryRunner } from 'typeorm';
import { applyAuthTablePrefix, prefixMigrationSql } from '../database/auth-tables';
import { PostgresInitialSchema1795347651853 } from './postgres/1795347651853-initial-schema';
import { PostgresRefreshChainLinks1795348833791 } from './postgres/1795348833791-refresh-chain-links';
import { PostgresWalletTokens1795349997690 } from './postgres/1795349997690-wallet-tokens';
import { PostgresRefreshTokenGenerationIndex1795375620857 } from './postgres/1795375620857-refresh-token-generation-index';
import { PostgresRefreshTokensFillFactor1795390725935 } from './postgres/1795390725935-refresh-tokens-fill-factor';
import { PostgresRefreshTokensWithoutSessionKey1795402723858 } from './postgres/1795402723858-refresh-tokens-without-session-key';
import { PostgresRegistrationTokenExpiry1795420000001 } from './postgres/1795420000001-registration-token-expiry';
import { SqliteRegistrationTokenExpiry1795420000000 } from './sqlite/1795420000000-registration-token-expiry';
import { PostgresSigningKeyStatuses1795423817452 } from './postgres/1795423817452-signing-key-statuses';
import { PostgresBoundedGrowth1796342400001 } from './postgres/1796342400001-bounded-growth';
import { SqliteBoundedGrowth1796342400000 } from './sqlite/1796342400000-bounded-growth';
import { PostgresHealthProbe1796500000001 } from './postgres/1796500000001-health-probe';
import { SqliteHealthProbe1796500000000 } from './sqlite/1796500000000-health-probe';
import { PostgresSecurityEventOutbox1796600000001 } from './postgres/1796600000001-security-event-outbox';
import { SqliteSecurityEventOutbox1796600000000 } from './sqlite/1796600000000-security-event-outbox';
import { PostgresSecurityEventConsumers1796700000001 } from './postgres/1796700000001-security-event-consumers';
import { SqliteSecurityEventConsumers1796700000000 } from './sqlite/1796700000000-security-event-consumers';
import { PostgresApiKeyRestrictions1796800000001 } from './postgres/1796800000001-api-key-restrictions';
import { SqliteApiKeyRestrictions1796800000000 } from './sqlite/1796800000000-api-key-restrictions';
import { PostgresSessionAudience1796900000001 } from './postgres/1796900000001-session-audience';
import { SqliteSessionAudience1796900000000 } from './sqlite/1796900000000-session-audience';
import { PostgresSecurityEventCaptureInWrites1797000000001 } from './postgres/1797000000001-security-event-capture-in-writes';
import { SqliteSecurityEventCaptureInWrites1797000000000 } from './sqlite/1797000000000-security-event-capture-in-writes';
import { SqliteInitialSchema1795347634234 } from './sqlite/1795347634234-initial-schema';
import { SqliteRefreshChainLinks1795348810021 } from './sqlite/1795348810021-refresh-chain-links';
import { SqliteWalletTokens1795349970466 } from './sqlite/1795349970466-wallet-tokens';
import { SqliteRefreshTokenGenerationIndex1795375620856 } from './sqlite/1795375620856-refresh-token-generation-index';
import { SqliteRefreshTokensWithoutSessionKey1795402723857 } from './sqlite/1795402723857-refresh-tokens-without-session-key';
import { SqliteSigningKeyStatuses1795423817451 } from './sqlite/1795423817451-signing-key-statuses';

type MigrationClass = new () => MigrationInterface;

/**
 * Migrations by dialect, listed explicitly (file globs break between ts sources and
 * compiled js). A host passes the list matching its data source.
 */
export const AUTH_MIGRATIONS: { sqlite: MigrationClass[]; postgres: MigrationClass[] } = {
  sqlite: [
    SqliteInitialSchema1795347634234,
    SqliteRefreshChainLinks1795348810021,
    SqliteWalletTokens1795349970466,
    SqliteRefreshTokenGenerationIndex1795375620856,
    SqliteRefreshTokensWithoutSessionKey1795402723857,
    SqliteRegistrationTokenExpiry1795420000000,
    SqliteSigningKeyStatuses1795423817451,
    SqliteBoundedGrowth1796342400000,
    SqliteHealthProbe1796500000000,
    SqliteSecurityEventOutbox1796600000000,
    SqliteSecurityEventConsumers1796700000000,
    SqliteApiKeyRestrictions1796800000000,
    SqliteSessionAudience1796900000000,
    SqliteSecurityEventCaptureInWrites1797000000000,
  ],
  postgres: [
    PostgresInitialSchema1795347651853,
    PostgresRefreshChainLinks1795348833791,
    PostgresWalletTokens1795349997690,
    PostgresRefreshTokenGenerationIndex1795375620857,
    PostgresRefreshTokensFillFactor1795390725935,
    PostgresRefreshTokensWithoutSessionKey1795402723858,
    PostgresRegistrationTokenExpiry1795420000001,
    PostgresSigningKeyStatuses1795423817452,
    PostgresBoundedGrowth1796342400001,
    PostgresHealthProbe1796500000001,
    PostgresSecurityEventOutbox1796600000001,
    PostgresSecurityEventConsumers1796700000001,
    PostgresApiKeyRestrictions1796800000001,
    PostgresSessionAudience1796900000001,
    PostgresSecurityEventCaptureInWrites1797000000001,
  ],
};

export interface AuthMigrationsOptions {
  /** The `tablePrefix` given to AuthModule.forRoot (default none). */
  tablePrefix?: string;
}

/**
 * The migrations of a dialect for the host's data source: `AUTH_MIGRATIONS[dialect]`, or with
 * `tablePrefix`, the same migrations creating `<prefix><table>` (and prefixed index and
 * constraint names). Also applies the prefix to the library's entities, so a data source file
 * for the TypeORM CLI that lists AUTH_ENTITIES sees the same tables as the app.
 */
export function authMigrations(
  dialect: keyof typeof AUTH_MIGRATIONS,
  options: AuthMigrationsOptions = {},
): MigrationClass[] {
  const migrations = AUTH_MIGRATIONS[dialect];
  if (!migrations) {
    throw new Error(`Unknown dialect "${String(dialect)}" (known: sqlite, postgres)`);
  }
  const prefix = options.tablePrefix ?? '';
  applyAuthTablePrefix(prefix);
  if (prefix === '') return migrations;
  return migrations.map((migration) => {
    // Recorded under a prefixed name (still ending in its timestamp, which TypeORM orders by):
    // a data source run with another prefix, or none, runs its own migrations instead of
    // taking these for its own and skipping them.
    const name = `${prefix}${new migration().name ?? migration.name}`;
    return class extends migration {
      override name = name;
      override up(queryRunner: QueryRunner): Promise<unknown> {
        return super.up(prefixingQueries(queryRunner, prefix));
      }
      override down(queryRunner: QueryRunner): Promise<unknown> {
        return super.down(prefixingQueries(queryRunner, prefix));
      }
    };
  });
}

/** The query runner, with the library's object names prefixed in every query it is given. */
function prefixingQueries(queryRunner: QueryRunner, prefix: string): QueryRunner {
  return new Proxy(queryRunner, {
    get(target, property, receiver) {
      if (property === 'query') {
        return (sql: string, ...rest: unknown[]) =>
          (target.query as (sql: string, ...rest: unknown[]) => Promise<unknown>)(
            prefixMigrationSql(sql, prefix),
            ...rest,
          );
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function'
        ? (value as (...args: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}

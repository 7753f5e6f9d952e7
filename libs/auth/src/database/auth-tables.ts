import { type DataSource, getMetadataArgsStorage } from 'typeorm';
import { ApiKeyEntity } from '../api-users/api-key.entity';
import { ApiUserEntity } from '../api-users/api-user.entity';
import { AuditEventEntity } from '../audit/audit-event.entity';
import { ClientEntity } from '../clients/client.entity';
import { SigningKeyEntity } from '../keys/signing-key.entity';
import { WalletTokenEntity } from '../profiles/wallet-refresh/wallet-token.entity';
import { RefreshTokenEntity } from '../sessions/refresh-token.entity';
import { SessionEntity } from '../sessions/session.entity';
import { SecurityEventConsumerEntity } from '../security-events/security-event-consumer.entity';
import { SecurityEventOutboxEntity } from '../security-events/security-event-outbox.entity';

/**
 * The library's tables under their unprefixed names, with their entities. `health_probe` has
 * none: only the standalone server's readiness check writes it.
 */
const ENTITY_OF_TABLE = {
  api_users: ApiUserEntity,
  api_keys: ApiKeyEntity,
  clients: ClientEntity,
  sessions: SessionEntity,
  refresh_tokens: RefreshTokenEntity,
  signing_keys: SigningKeyEntity,
  audit_events: AuditEventEntity,
  wallet_tokens: WalletTokenEntity,
  security_event_outbox: SecurityEventOutboxEntity,
  security_event_consumers: SecurityEventConsumerEntity,
  health_probe: undefined,
} as const;

type AuthTable = keyof typeof ENTITY_OF_TABLE;
const AUTH_TABLES = Object.keys(ENTITY_OF_TABLE) as AuthTable[];

/** Letters, digits and `_`, starting with a letter or `_`: safe unquoted, in both dialects. */
export const TABLE_PREFIX_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,29}$/;

let appliedPrefix = '';

/**
 * Renames the library's entities' tables to `<prefix><name>`, for a host whose database has
 * tables of its own called `clients` or `sessions`. TypeORM reads an entity's table name from
 * its decorator's metadata, which is process-wide, so the prefix is too: it must be applied
 * before the data source initialises (AuthModule.forRoot and authMigrations do it), and one
 * process runs one prefix. Applying the same prefix again is a no-op.
 */
export function applyAuthTablePrefix(prefix: string): void {
  if (typeof prefix !== 'string' || (prefix !== '' && !TABLE_PREFIX_PATTERN.test(prefix))) {
    throw new Error(
      `Invalid AuthModule tablePrefix "${String(prefix)}": up to 30 letters, digits and _, not starting with a digit`,
    );
  }
  if (prefix === appliedPrefix) return;
  if (appliedPrefix !== '') {
    throw new Error(
      `AuthModule tablePrefix "${prefix}" conflicts with "${appliedPrefix}", applied earlier in this process: one process runs one prefix`,
    );
  }
  const tables = getMetadataArgsStorage().tables;
  for (const name of AUTH_TABLES) {
    const entity = ENTITY_OF_TABLE[name];
    const table = entity && tables.find((candidate) => candidate.target === entity);
    if (table) table.name = `${prefix}${name}`;
  }
  appliedPrefix = prefix;
}

/** The prefix applied to the library's tables in this process ('' for none). */
export function authTablePrefix(): string {
  return appliedPrefix;
}

const UNQUOTED_TABLE = new RegExp(`(?<![\\w."'$])(${AUTH_TABLES.join('|')})(?![\\w"'])`, 'g');

/**
 * A function that rewrites the library's hand-written SQL (where tables are named unquoted,
 * as `FROM sessions s`) to the table names the data source maps the entities to. Used once per
 * statement, when it is prepared: never per request.
 */
export function authTableRenamer(dataSource: DataSource): (sql: string) => string {
  const actual = new Map<string, string>();
  for (const name of AUTH_TABLES) {
    const entity = ENTITY_OF_TABLE[name];
    const tableName =
      entity && dataSource.hasMetadata(entity)
        ? dataSource.getMetadata(entity).tableName
        : `${appliedPrefix}${name}`;
    if (tableName !== name) actual.set(name, tableName);
  }
  if (actual.size === 0) return (sql) => sql;
  return (sql) => sql.replace(UNQUOTED_TABLE, (name: string) => actual.get(name) ?? name);
}

/**
 * Identifiers the migrations quote that name the library's objects: its tables, SQLite's
 * `temporary_<table>` copies while a table is rebuilt, and its indexes and constraints. Index
 * and constraint names share one namespace per schema on PostgreSQL, and TypeORM derives the
 * primary keys' from the table name, so a host table `sessions` of its own would collide with
 * them too. Trigger (`tg_`) and function (`fn_`) names as well: the outbox's former trigger.
 */
const QUOTED_OBJECT = new RegExp(
  `"((?:temporary_)?(?:${AUTH_TABLES.join('|')})|(?:ix|uq|fk|tg|fn|PK|FK|UQ|IDX|REL)_[A-Za-z0-9_]+)"`,
  'g',
);

/** A migration's SQL with the library's tables, indexes and constraints prefixed. */
export function prefixMigrationSql(sql: string, prefix: string): string {
  return prefix === ''
    ? sql
    : sql.replace(QUOTED_OBJECT, (_match, name: string) => `"${prefix}${name}"`);
}

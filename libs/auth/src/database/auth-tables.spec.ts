import { getMetadataArgsStorage } from 'typeorm';
import { SessionEntity } from '../sessions/session.entity';
import { authMigrations } from '../migrations';
import { applyAuthTablePrefix, prefixMigrationSql } from './auth-tables';

describe('prefixMigrationSql', () => {
  it("prefixes the library's tables, indexes and constraints, and nothing else", () => {
    expect(
      prefixMigrationSql(
        `CREATE TABLE "temporary_sessions" ("id" varchar PRIMARY KEY NOT NULL, "api_key_id" varchar, CONSTRAINT "fk_sessions_api_user" FOREIGN KEY ("api_user_id") REFERENCES "api_users" ("id"), CONSTRAINT "PK_3238ef96f18b355b671619111bc" PRIMARY KEY ("id"))`,
        'auth_',
      ),
    ).toBe(
      `CREATE TABLE "auth_temporary_sessions" ("id" varchar PRIMARY KEY NOT NULL, "api_key_id" varchar, CONSTRAINT "auth_fk_sessions_api_user" FOREIGN KEY ("api_user_id") REFERENCES "auth_api_users" ("id"), CONSTRAINT "auth_PK_3238ef96f18b355b671619111bc" PRIMARY KEY ("id"))`,
    );
    expect(
      prefixMigrationSql(
        `CREATE INDEX "ix_sessions_api_key_live" ON "public"."sessions" ("api_key_id", "id") WHERE "revoked_at" IS NULL`,
        'auth_',
      ),
    ).toBe(
      `CREATE INDEX "auth_ix_sessions_api_key_live" ON "public"."auth_sessions" ("api_key_id", "id") WHERE "revoked_at" IS NULL`,
    );
  });

  it('leaves the SQL alone without a prefix', () => {
    const sql = `DROP INDEX "ix_sessions_api_key_id"`;
    expect(prefixMigrationSql(sql, '')).toBe(sql);
  });
});

describe('applyAuthTablePrefix', () => {
  it('refuses a prefix that is not a plain identifier', () => {
    expect(() => applyAuthTablePrefix('auth-')).toThrow(/Invalid AuthModule tablePrefix/);
    expect(() => applyAuthTablePrefix('1auth_')).toThrow(/Invalid AuthModule tablePrefix/);
  });

  it("renames the entities' tables once, and refuses a second, different prefix", () => {
    applyAuthTablePrefix('svc_');
    const table = getMetadataArgsStorage().tables.find((args) => args.target === SessionEntity);
    expect(table?.name).toBe('svc_sessions');
    expect(() => applyAuthTablePrefix('svc_')).not.toThrow();
    expect(() => applyAuthTablePrefix('other_')).toThrow(/conflicts with "svc_"/);
    expect(() => applyAuthTablePrefix('')).toThrow(/conflicts with "svc_"/);
  });

  it('records the prefixed migrations under prefixed names, each still ending in its timestamp', () => {
    const names = authMigrations('sqlite', { tablePrefix: 'svc_' }).map((m) => new m().name);
    expect(names[0]).toBe('svc_SqliteInitialSchema1795347634234');
    expect(names.every((name) => /^svc_Sqlite\w+\d{13}$/.test(name ?? ''))).toBe(true);
  });
});

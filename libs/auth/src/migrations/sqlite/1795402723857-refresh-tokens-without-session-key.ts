import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The table's columns, the same before and after: only the constraint differs. */
const COLUMN_DEFINITIONS = `"token_hash" varchar(64) PRIMARY KEY NOT NULL, "session_id" varchar(36) NOT NULL, "generation" integer NOT NULL, "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "consumed_at" bigint, "successor_hash" varchar(64), "successor_sealed" text`;
/** Dropped with the old table, so created again on the new one. */
const CREATE_SESSION_GENERATION_INDEX = `CREATE INDEX "ix_refresh_tokens_session_generation" ON "refresh_tokens" ("session_id", "generation") `;
const COLUMNS = `"token_hash", "session_id", "generation", "created_at", "expires_at", "consumed_at", "successor_hash", "successor_sealed"`;

/**
 * Drops the foreign key from `refresh_tokens` to `sessions`, as on PostgreSQL (see
 * PostgresRefreshTokensWithoutSessionKey1795402723858): one schema for both dialects. SQLite
 * cannot drop a constraint in place, so the table is copied (as TypeORM generates it), once:
 * 2.9 s for a million rows and 11.8 s for three million on the project's machine, so about a
 * minute for ten million, with the table's size again in free disk space until it ends.
 */
export class SqliteRefreshTokensWithoutSessionKey1795402723857 implements MigrationInterface {
  name = 'SqliteRefreshTokensWithoutSessionKey1795402723857';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_refresh_tokens_session_generation"`);
    await queryRunner.query(`CREATE TABLE "temporary_refresh_tokens" (${COLUMN_DEFINITIONS})`);
    await queryRunner.query(
      `INSERT INTO "temporary_refresh_tokens"(${COLUMNS}) SELECT ${COLUMNS} FROM "refresh_tokens"`,
    );
    await queryRunner.query(`DROP TABLE "refresh_tokens"`);
    await queryRunner.query(`ALTER TABLE "temporary_refresh_tokens" RENAME TO "refresh_tokens"`);
    await queryRunner.query(CREATE_SESSION_GENERATION_INDEX);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_refresh_tokens_session_generation"`);
    await queryRunner.query(`ALTER TABLE "refresh_tokens" RENAME TO "temporary_refresh_tokens"`);
    await queryRunner.query(
      `CREATE TABLE "refresh_tokens" (${COLUMN_DEFINITIONS}, CONSTRAINT "fk_refresh_tokens_session" FOREIGN KEY ("session_id") REFERENCES "sessions" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "refresh_tokens"(${COLUMNS}) SELECT ${COLUMNS} FROM "temporary_refresh_tokens"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_refresh_tokens"`);
    await queryRunner.query(CREATE_SESSION_GENERATION_INDEX);
  }
}

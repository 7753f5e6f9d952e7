import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SqliteInitialSchema1795347634234 implements MigrationInterface {
  name = 'SqliteInitialSchema1795347634234';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "api_users" ("id" varchar(36) PRIMARY KEY NOT NULL, "name" varchar(64) NOT NULL, "role" varchar(16) NOT NULL, "status" varchar(16) NOT NULL, "registration_token_hash" varchar(64), "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL)`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_api_users_name" ON "api_users" ("name") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_api_users_registration_token_hash" ON "api_users" ("registration_token_hash") `,
    );
    await queryRunner.query(
      `CREATE TABLE "api_keys" ("id" varchar(32) PRIMARY KEY NOT NULL, "api_user_id" varchar(36) NOT NULL, "secret_hash" varchar(64) NOT NULL, "created_at" bigint NOT NULL, "revoked_at" bigint)`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_api_keys_api_user_id" ON "api_keys" ("api_user_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "audit_events" ("id" varchar(36) PRIMARY KEY NOT NULL, "type" varchar(64) NOT NULL, "api_user_id" varchar(36), "session_id" varchar(36), "api_key_id" varchar(32), "ip" varchar(64), "data" text, "created_at" bigint NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_audit_events_api_user_created" ON "audit_events" ("api_user_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "clients" ("id" varchar(32) PRIMARY KEY NOT NULL, "name" varchar(64) NOT NULL, "secret_hash" varchar(64) NOT NULL, "created_at" bigint NOT NULL)`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_clients_name" ON "clients" ("name") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_clients_secret_hash" ON "clients" ("secret_hash") `,
    );
    await queryRunner.query(
      `CREATE TABLE "signing_keys" ("kid" varchar(64) PRIMARY KEY NOT NULL, "algorithm" varchar(16) NOT NULL, "public_jwk" text NOT NULL, "private_key" text NOT NULL, "created_at" bigint NOT NULL, "retired_at" bigint)`,
    );
    await queryRunner.query(
      `CREATE TABLE "sessions" ("id" varchar(36) PRIMARY KEY NOT NULL, "api_user_id" varchar(36) NOT NULL, "api_key_id" varchar(32) NOT NULL, "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "revoked_at" bigint, "revoked_reason" varchar(32), "ip" varchar(64))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_sessions_api_user_id" ON "sessions" ("api_user_id") `,
    );
    await queryRunner.query(`CREATE INDEX "ix_sessions_api_key_id" ON "sessions" ("api_key_id") `);
    await queryRunner.query(
      `CREATE TABLE "refresh_tokens" ("token_hash" varchar(64) PRIMARY KEY NOT NULL, "session_id" varchar(36) NOT NULL, "generation" integer NOT NULL, "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "consumed_at" bigint)`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_refresh_tokens_session_id" ON "refresh_tokens" ("session_id") `,
    );
    await queryRunner.query(`DROP INDEX "ix_api_keys_api_user_id"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_api_keys" ("id" varchar(32) PRIMARY KEY NOT NULL, "api_user_id" varchar(36) NOT NULL, "secret_hash" varchar(64) NOT NULL, "created_at" bigint NOT NULL, "revoked_at" bigint, CONSTRAINT "fk_api_keys_api_user" FOREIGN KEY ("api_user_id") REFERENCES "api_users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_api_keys"("id", "api_user_id", "secret_hash", "created_at", "revoked_at") SELECT "id", "api_user_id", "secret_hash", "created_at", "revoked_at" FROM "api_keys"`,
    );
    await queryRunner.query(`DROP TABLE "api_keys"`);
    await queryRunner.query(`ALTER TABLE "temporary_api_keys" RENAME TO "api_keys"`);
    await queryRunner.query(
      `CREATE INDEX "ix_api_keys_api_user_id" ON "api_keys" ("api_user_id") `,
    );
    await queryRunner.query(`DROP INDEX "ix_sessions_api_user_id"`);
    await queryRunner.query(`DROP INDEX "ix_sessions_api_key_id"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_sessions" ("id" varchar(36) PRIMARY KEY NOT NULL, "api_user_id" varchar(36) NOT NULL, "api_key_id" varchar(32) NOT NULL, "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "revoked_at" bigint, "revoked_reason" varchar(32), "ip" varchar(64), CONSTRAINT "fk_sessions_api_user" FOREIGN KEY ("api_user_id") REFERENCES "api_users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_sessions"("id", "api_user_id", "api_key_id", "created_at", "expires_at", "revoked_at", "revoked_reason", "ip") SELECT "id", "api_user_id", "api_key_id", "created_at", "expires_at", "revoked_at", "revoked_reason", "ip" FROM "sessions"`,
    );
    await queryRunner.query(`DROP TABLE "sessions"`);
    await queryRunner.query(`ALTER TABLE "temporary_sessions" RENAME TO "sessions"`);
    await queryRunner.query(
      `CREATE INDEX "ix_sessions_api_user_id" ON "sessions" ("api_user_id") `,
    );
    await queryRunner.query(`CREATE INDEX "ix_sessions_api_key_id" ON "sessions" ("api_key_id") `);
    await queryRunner.query(`DROP INDEX "ix_refresh_tokens_session_id"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_refresh_tokens" ("token_hash" varchar(64) PRIMARY KEY NOT NULL, "session_id" varchar(36) NOT NULL, "generation" integer NOT NULL, "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "consumed_at" bigint, CONSTRAINT "fk_refresh_tokens_session" FOREIGN KEY ("session_id") REFERENCES "sessions" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_refresh_tokens"("token_hash", "session_id", "generation", "created_at", "expires_at", "consumed_at") SELECT "token_hash", "session_id", "generation", "created_at", "expires_at", "consumed_at" FROM "refresh_tokens"`,
    );
    await queryRunner.query(`DROP TABLE "refresh_tokens"`);
    await queryRunner.query(`ALTER TABLE "temporary_refresh_tokens" RENAME TO "refresh_tokens"`);
    await queryRunner.query(
      `CREATE INDEX "ix_refresh_tokens_session_id" ON "refresh_tokens" ("session_id") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_refresh_tokens_session_id"`);
    await queryRunner.query(`ALTER TABLE "refresh_tokens" RENAME TO "temporary_refresh_tokens"`);
    await queryRunner.query(
      `CREATE TABLE "refresh_tokens" ("token_hash" varchar(64) PRIMARY KEY NOT NULL, "session_id" varchar(36) NOT NULL, "generation" integer NOT NULL, "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "consumed_at" bigint)`,
    );
    await queryRunner.query(
      `INSERT INTO "refresh_tokens"("token_hash", "session_id", "generation", "created_at", "expires_at", "consumed_at") SELECT "token_hash", "session_id", "generation", "created_at", "expires_at", "consumed_at" FROM "temporary_refresh_tokens"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_refresh_tokens"`);
    await queryRunner.query(
      `CREATE INDEX "ix_refresh_tokens_session_id" ON "refresh_tokens" ("session_id") `,
    );
    await queryRunner.query(`DROP INDEX "ix_sessions_api_key_id"`);
    await queryRunner.query(`DROP INDEX "ix_sessions_api_user_id"`);
    await queryRunner.query(`ALTER TABLE "sessions" RENAME TO "temporary_sessions"`);
    await queryRunner.query(
      `CREATE TABLE "sessions" ("id" varchar(36) PRIMARY KEY NOT NULL, "api_user_id" varchar(36) NOT NULL, "api_key_id" varchar(32) NOT NULL, "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "revoked_at" bigint, "revoked_reason" varchar(32), "ip" varchar(64))`,
    );
    await queryRunner.query(
      `INSERT INTO "sessions"("id", "api_user_id", "api_key_id", "created_at", "expires_at", "revoked_at", "revoked_reason", "ip") SELECT "id", "api_user_id", "api_key_id", "created_at", "expires_at", "revoked_at", "revoked_reason", "ip" FROM "temporary_sessions"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_sessions"`);
    await queryRunner.query(`CREATE INDEX "ix_sessions_api_key_id" ON "sessions" ("api_key_id") `);
    await queryRunner.query(
      `CREATE INDEX "ix_sessions_api_user_id" ON "sessions" ("api_user_id") `,
    );
    await queryRunner.query(`DROP INDEX "ix_api_keys_api_user_id"`);
    await queryRunner.query(`ALTER TABLE "api_keys" RENAME TO "temporary_api_keys"`);
    await queryRunner.query(
      `CREATE TABLE "api_keys" ("id" varchar(32) PRIMARY KEY NOT NULL, "api_user_id" varchar(36) NOT NULL, "secret_hash" varchar(64) NOT NULL, "created_at" bigint NOT NULL, "revoked_at" bigint)`,
    );
    await queryRunner.query(
      `INSERT INTO "api_keys"("id", "api_user_id", "secret_hash", "created_at", "revoked_at") SELECT "id", "api_user_id", "secret_hash", "created_at", "revoked_at" FROM "temporary_api_keys"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_api_keys"`);
    await queryRunner.query(
      `CREATE INDEX "ix_api_keys_api_user_id" ON "api_keys" ("api_user_id") `,
    );
    await queryRunner.query(`DROP INDEX "ix_refresh_tokens_session_id"`);
    await queryRunner.query(`DROP TABLE "refresh_tokens"`);
    await queryRunner.query(`DROP INDEX "ix_sessions_api_key_id"`);
    await queryRunner.query(`DROP INDEX "ix_sessions_api_user_id"`);
    await queryRunner.query(`DROP TABLE "sessions"`);
    await queryRunner.query(`DROP TABLE "signing_keys"`);
    await queryRunner.query(`DROP INDEX "uq_clients_secret_hash"`);
    await queryRunner.query(`DROP INDEX "uq_clients_name"`);
    await queryRunner.query(`DROP TABLE "clients"`);
    await queryRunner.query(`DROP INDEX "ix_audit_events_api_user_created"`);
    await queryRunner.query(`DROP TABLE "audit_events"`);
    await queryRunner.query(`DROP INDEX "ix_api_keys_api_user_id"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
    await queryRunner.query(`DROP INDEX "uq_api_users_registration_token_hash"`);
    await queryRunner.query(`DROP INDEX "uq_api_users_name"`);
    await queryRunner.query(`DROP TABLE "api_users"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

export class PostgresInitialSchema1795347651853 implements MigrationInterface {
  name = 'PostgresInitialSchema1795347651853';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "api_users" ("id" character varying(36) NOT NULL, "name" character varying(64) NOT NULL, "role" character varying(16) NOT NULL, "status" character varying(16) NOT NULL, "registration_token_hash" character varying(64), "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL, CONSTRAINT "PK_b6c77479defc58cfc0e2d3e0f54" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_api_users_name" ON "api_users"  ("name") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_api_users_registration_token_hash" ON "api_users"  ("registration_token_hash") `,
    );
    await queryRunner.query(
      `CREATE TABLE "api_keys" ("id" character varying(32) NOT NULL, "api_user_id" character varying(36) NOT NULL, "secret_hash" character varying(64) NOT NULL, "created_at" bigint NOT NULL, "revoked_at" bigint, CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_api_keys_api_user_id" ON "api_keys"  ("api_user_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "audit_events" ("id" character varying(36) NOT NULL, "type" character varying(64) NOT NULL, "api_user_id" character varying(36), "session_id" character varying(36), "api_key_id" character varying(32), "ip" character varying(64), "data" text, "created_at" bigint NOT NULL, CONSTRAINT "PK_910f64d901a5c3e9878f0d4a407" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_audit_events_api_user_created" ON "audit_events"  ("api_user_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "clients" ("id" character varying(32) NOT NULL, "name" character varying(64) NOT NULL, "secret_hash" character varying(64) NOT NULL, "created_at" bigint NOT NULL, CONSTRAINT "PK_f1ab7cf3a5714dbc6bb4e1c28a4" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_clients_name" ON "clients"  ("name") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_clients_secret_hash" ON "clients"  ("secret_hash") `,
    );
    await queryRunner.query(
      `CREATE TABLE "signing_keys" ("kid" character varying(64) NOT NULL, "algorithm" character varying(16) NOT NULL, "public_jwk" text NOT NULL, "private_key" text NOT NULL, "created_at" bigint NOT NULL, "retired_at" bigint, CONSTRAINT "PK_13362ac3e792c69417e1a53d355" PRIMARY KEY ("kid"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "sessions" ("id" character varying(36) NOT NULL, "api_user_id" character varying(36) NOT NULL, "api_key_id" character varying(32) NOT NULL, "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "revoked_at" bigint, "revoked_reason" character varying(32), "ip" character varying(64), CONSTRAINT "PK_3238ef96f18b355b671619111bc" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_sessions_api_user_id" ON "sessions"  ("api_user_id") `,
    );
    await queryRunner.query(`CREATE INDEX "ix_sessions_api_key_id" ON "sessions"  ("api_key_id") `);
    await queryRunner.query(
      `CREATE TABLE "refresh_tokens" ("token_hash" character varying(64) NOT NULL, "session_id" character varying(36) NOT NULL, "generation" integer NOT NULL, "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "consumed_at" bigint, CONSTRAINT "PK_a7838d2ba25be1342091b6695f1" PRIMARY KEY ("token_hash"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_refresh_tokens_session_id" ON "refresh_tokens"  ("session_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "api_keys" ADD CONSTRAINT "fk_api_keys_api_user" FOREIGN KEY ("api_user_id") REFERENCES "api_users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "sessions" ADD CONSTRAINT "fk_sessions_api_user" FOREIGN KEY ("api_user_id") REFERENCES "api_users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "refresh_tokens" ADD CONSTRAINT "fk_refresh_tokens_session" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "refresh_tokens" DROP CONSTRAINT "fk_refresh_tokens_session"`,
    );
    await queryRunner.query(`ALTER TABLE "sessions" DROP CONSTRAINT "fk_sessions_api_user"`);
    await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "fk_api_keys_api_user"`);
    await queryRunner.query(`DROP INDEX "public"."ix_refresh_tokens_session_id"`);
    await queryRunner.query(`DROP TABLE "refresh_tokens"`);
    await queryRunner.query(`DROP INDEX "public"."ix_sessions_api_key_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_sessions_api_user_id"`);
    await queryRunner.query(`DROP TABLE "sessions"`);
    await queryRunner.query(`DROP TABLE "signing_keys"`);
    await queryRunner.query(`DROP INDEX "public"."uq_clients_secret_hash"`);
    await queryRunner.query(`DROP INDEX "public"."uq_clients_name"`);
    await queryRunner.query(`DROP TABLE "clients"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_events_api_user_created"`);
    await queryRunner.query(`DROP TABLE "audit_events"`);
    await queryRunner.query(`DROP INDEX "public"."ix_api_keys_api_user_id"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
    await queryRunner.query(`DROP INDEX "public"."uq_api_users_registration_token_hash"`);
    await queryRunner.query(`DROP INDEX "public"."uq_api_users_name"`);
    await queryRunner.query(`DROP TABLE "api_users"`);
  }
}

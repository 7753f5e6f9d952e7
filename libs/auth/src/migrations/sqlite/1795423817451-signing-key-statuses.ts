import type { MigrationInterface, QueryRunner } from 'typeorm';

const COLUMNS_BEFORE = `"kid" varchar(64) PRIMARY KEY NOT NULL, "algorithm" varchar(16) NOT NULL, "public_jwk" text NOT NULL, "private_key" text NOT NULL, "created_at" bigint NOT NULL, "retired_at" bigint`;
const OLD_COLUMNS = `"kid", "algorithm", "public_jwk", "private_key", "created_at", "retired_at"`;
const ACTIVE_INDEX = `CREATE UNIQUE INDEX "uq_signing_keys_active" ON "signing_keys" ("status") WHERE status = 'active'`;

/**
 * Signing keys get a status (next, active, retired, revoked). Existing rows: the oldest key
 * not yet retired is the one every instance signed with, so it becomes active; any other
 * unretired key becomes retired now (it stays published while its tokens may live). SQLite
 * cannot add a NOT NULL column without a default, so the table is copied.
 */
export class SqliteSigningKeyStatuses1795423817451 implements MigrationInterface {
  name = 'SqliteSigningKeyStatuses1795423817451';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const now = Date.now();
    const signer = `(SELECT "kid" FROM "signing_keys" WHERE "retired_at" IS NULL ORDER BY "created_at", "kid" LIMIT 1)`;
    await queryRunner.query(
      `CREATE TABLE "temporary_signing_keys" (${COLUMNS_BEFORE}, "status" varchar(16) NOT NULL, "activated_at" bigint, "revoked_at" bigint)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_signing_keys"(${OLD_COLUMNS}, "status", "activated_at", "revoked_at")
       SELECT "kid", "algorithm", "public_jwk", "private_key", "created_at",
              CASE WHEN "retired_at" IS NULL AND "kid" <> ${signer} THEN ${now} ELSE "retired_at" END,
              CASE WHEN "kid" = ${signer} THEN 'active' ELSE 'retired' END,
              CASE WHEN "kid" = ${signer} THEN "created_at" ELSE NULL END,
              NULL
       FROM "signing_keys"`,
    );
    await queryRunner.query(`DROP TABLE "signing_keys"`);
    await queryRunner.query(`ALTER TABLE "temporary_signing_keys" RENAME TO "signing_keys"`);
    await queryRunner.query(ACTIVE_INDEX);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "uq_signing_keys_active"`);
    await queryRunner.query(`ALTER TABLE "signing_keys" RENAME TO "temporary_signing_keys"`);
    await queryRunner.query(`CREATE TABLE "signing_keys" (${COLUMNS_BEFORE})`);
    // The earlier schema knows only "retired or not": a revoked key must not sign again.
    await queryRunner.query(
      `INSERT INTO "signing_keys"(${OLD_COLUMNS})
       SELECT "kid", "algorithm", "public_jwk", "private_key", "created_at",
              CASE WHEN "status" = 'active' THEN NULL ELSE COALESCE("retired_at", "revoked_at", "created_at") END
       FROM "temporary_signing_keys" WHERE "status" <> 'next'`,
    );
    await queryRunner.query(`DROP TABLE "temporary_signing_keys"`);
  }
}

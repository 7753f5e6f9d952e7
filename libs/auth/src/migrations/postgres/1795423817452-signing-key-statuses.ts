import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signing keys get a status (next, active, retired, revoked). Existing rows: the oldest key
 * not yet retired is the one every instance signed with, so it becomes active; any other
 * unretired key becomes retired now (it stays published while its tokens may live).
 */
export class PostgresSigningKeyStatuses1795423817452 implements MigrationInterface {
  name = 'PostgresSigningKeyStatuses1795423817452';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const now = Date.now();
    // Nullable first, so existing rows can be given their status before the constraint holds.
    await queryRunner.query(`ALTER TABLE "signing_keys" ADD "status" character varying(16)`);
    await queryRunner.query(`ALTER TABLE "signing_keys" ADD "activated_at" bigint`);
    await queryRunner.query(`ALTER TABLE "signing_keys" ADD "revoked_at" bigint`);
    await queryRunner.query(
      `WITH signer AS (SELECT "kid" FROM "signing_keys" WHERE "retired_at" IS NULL ORDER BY "created_at", "kid" LIMIT 1)
       UPDATE "signing_keys" SET
         "status" = CASE WHEN "kid" IN (SELECT "kid" FROM signer) THEN 'active' ELSE 'retired' END,
         "activated_at" = CASE WHEN "kid" IN (SELECT "kid" FROM signer) THEN "created_at" ELSE NULL END,
         "retired_at" = CASE WHEN "retired_at" IS NULL AND "kid" NOT IN (SELECT "kid" FROM signer) THEN ${now} ELSE "retired_at" END`,
    );
    await queryRunner.query(`ALTER TABLE "signing_keys" ALTER COLUMN "status" SET NOT NULL`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_signing_keys_active" ON "signing_keys"  ("status") WHERE status = 'active'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."uq_signing_keys_active"`);
    // The earlier schema knows only "retired or not": a revoked key must not sign again, and
    // a next key would be taken for a signer.
    await queryRunner.query(`DELETE FROM "signing_keys" WHERE "status" = 'next'`);
    await queryRunner.query(
      `UPDATE "signing_keys" SET "retired_at" = COALESCE("retired_at", "revoked_at", "created_at") WHERE "status" <> 'active'`,
    );
    await queryRunner.query(`ALTER TABLE "signing_keys" DROP COLUMN "revoked_at"`);
    await queryRunner.query(`ALTER TABLE "signing_keys" DROP COLUMN "activated_at"`);
    await queryRunner.query(`ALTER TABLE "signing_keys" DROP COLUMN "status"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The migration's own default, the server's default REGISTRATION_TOKEN_TTL_SECONDS (72 h). */
const EXISTING_TOKEN_TTL_MS = 259_200_000;

/**
 * Registration tokens expire. Tokens issued before this version had no expiry; they get one
 * counted from the migration (the default lifetime), so an operator who handed one out
 * yesterday is not surprised, and none stays valid for ever.
 */
export class PostgresRegistrationTokenExpiry1795420000001 implements MigrationInterface {
  name = 'PostgresRegistrationTokenExpiry1795420000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "api_users" ADD COLUMN "registration_token_expires_at" bigint`,
    );
    await queryRunner.query(
      `UPDATE "api_users" SET "registration_token_expires_at" = $1 WHERE "registration_token_hash" IS NOT NULL`,
      [Date.now() + EXISTING_TOKEN_TTL_MS],
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "api_users" DROP COLUMN "registration_token_expires_at"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API keys, second round (issue 22): a key's name, scopes, expiry, address allow-list and last
 * use, and the scopes a session was granted. All nullable: existing keys keep working as they
 * did (no scopes: the role's full access; no expiry; any address).
 */
export class PostgresApiKeyRestrictions1796800000001 implements MigrationInterface {
  name = 'PostgresApiKeyRestrictions1796800000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "api_keys" ADD COLUMN "name" character varying(100)`);
    await queryRunner.query(`ALTER TABLE "api_keys" ADD COLUMN "scopes" text`);
    await queryRunner.query(`ALTER TABLE "api_keys" ADD COLUMN "expires_at" bigint`);
    await queryRunner.query(`ALTER TABLE "api_keys" ADD COLUMN "allowed_cidrs" text`);
    await queryRunner.query(`ALTER TABLE "api_keys" ADD COLUMN "last_used_at" bigint`);
    await queryRunner.query(`ALTER TABLE "sessions" ADD COLUMN "scope" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sessions" DROP COLUMN "scope"`);
    for (const column of ['last_used_at', 'allowed_cidrs', 'expires_at', 'scopes', 'name'])
      await queryRunner.query(`ALTER TABLE "api_keys" DROP COLUMN "${column}"`);
  }
}

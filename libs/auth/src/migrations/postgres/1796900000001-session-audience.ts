import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The resource (RFC 8707) a session's access tokens are for, kept across refreshes (issue 22).
 * Nullable: existing sessions keep the module's default audience.
 */
export class PostgresSessionAudience1796900000001 implements MigrationInterface {
  name = 'PostgresSessionAudience1796900000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sessions" ADD COLUMN "audience" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sessions" DROP COLUMN "audience"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row that readiness checks rewrite (issue 19): a ping only reads, so it stays green on a
 * database that can no longer write. Updating a row and committing makes PostgreSQL write and
 * flush WAL, which a rolled-back write or a temporary table would not prove.
 */
export class PostgresHealthProbe1796500000001 implements MigrationInterface {
  name = 'PostgresHealthProbe1796500000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "health_probe" ("id" integer PRIMARY KEY NOT NULL, "checked_at" bigint NOT NULL)`,
    );
    await queryRunner.query(`INSERT INTO "health_probe" ("id", "checked_at") VALUES (1, 0)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "health_probe"`);
  }
}

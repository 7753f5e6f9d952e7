import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row that readiness checks rewrite (issue 19): a ping only reads, so it stays green on a
 * database that can no longer write (a full disk). Updating a row proves a write commits.
 */
export class SqliteHealthProbe1796500000000 implements MigrationInterface {
  name = 'SqliteHealthProbe1796500000000';

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

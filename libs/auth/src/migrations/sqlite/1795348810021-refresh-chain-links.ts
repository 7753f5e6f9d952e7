import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Written by hand: TypeORM generates a copy of each whole table to add two nullable
 * columns, where SQLite adds them in place (instantly, whatever the row count).
 */
export class SqliteRefreshChainLinks1795348810021 implements MigrationInterface {
  name = 'SqliteRefreshChainLinks1795348810021';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "refresh_tokens" ADD COLUMN "successor_hash" varchar(64)`);
    await queryRunner.query(`ALTER TABLE "refresh_tokens" ADD COLUMN "successor_sealed" text`);
    await queryRunner.query(`CREATE INDEX "ix_sessions_expires_at" ON "sessions" ("expires_at") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_sessions_expires_at"`);
    await queryRunner.query(`ALTER TABLE "refresh_tokens" DROP COLUMN "successor_sealed"`);
    await queryRunner.query(`ALTER TABLE "refresh_tokens" DROP COLUMN "successor_hash"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

export class PostgresRefreshChainLinks1795348833791 implements MigrationInterface {
  name = 'PostgresRefreshChainLinks1795348833791';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "refresh_tokens" ADD "successor_hash" character varying(64)`,
    );
    await queryRunner.query(`ALTER TABLE "refresh_tokens" ADD "successor_sealed" text`);
    await queryRunner.query(`CREATE INDEX "ix_sessions_expires_at" ON "sessions"  ("expires_at") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_sessions_expires_at"`);
    await queryRunner.query(`ALTER TABLE "refresh_tokens" DROP COLUMN "successor_sealed"`);
    await queryRunner.query(`ALTER TABLE "refresh_tokens" DROP COLUMN "successor_hash"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Erasing the sealed copy one link back looked the link up by session alone, reading every
 * earlier link of the chain on each rotation. The new index also serves lookups by session.
 */
export class SqliteRefreshTokenGenerationIndex1795375620856 implements MigrationInterface {
  name = 'SqliteRefreshTokenGenerationIndex1795375620856';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_refresh_tokens_session_generation" ON "refresh_tokens" ("session_id", "generation") `,
    );
    await queryRunner.query(`DROP INDEX "ix_refresh_tokens_session_id"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_refresh_tokens_session_id" ON "refresh_tokens" ("session_id") `,
    );
    await queryRunner.query(`DROP INDEX "ix_refresh_tokens_session_generation"`);
  }
}

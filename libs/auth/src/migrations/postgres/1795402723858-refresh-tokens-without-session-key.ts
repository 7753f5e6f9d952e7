import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drops the foreign key from `refresh_tokens` to `sessions`. PostgreSQL checked it on every
 * rotation's successor row by locking the session's row (`FOR KEY SHARE`), which writes to that
 * row and to the WAL: 15–22 µs of the database's CPU per rotation, about a quarter of its
 * statement (`npm run bench:pg-rotation-write -- --session-key`, BENCHMARKS.md round 8). The
 * rotation inserts a successor only for a session it has just joined and found live, and the
 * clean-up deletes a session's tokens itself, so the key ensured nothing that the writes do not
 * already ensure (see RefreshTokenEntity).
 */
export class PostgresRefreshTokensWithoutSessionKey1795402723858 implements MigrationInterface {
  name = 'PostgresRefreshTokensWithoutSessionKey1795402723858';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "refresh_tokens" DROP CONSTRAINT "fk_refresh_tokens_session"`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "refresh_tokens" ADD CONSTRAINT "fk_refresh_tokens_session" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }
}

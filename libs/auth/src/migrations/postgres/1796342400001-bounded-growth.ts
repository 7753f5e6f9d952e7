import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bounded growth (issue 18). Audit events need no index for their retention: their ids are
 * time-ordered (UUIDv7), so the oldest are found through the primary key, and every token
 * request's audit insert maintains no more indexes than before.
 * The session cap looks, on every session opening, for the key's live sessions beyond the cap,
 * newest first; the partial index holds exactly the unrevoked sessions of each key in id
 * (creation) order with their expiry, so that read touches the index alone. It replaces the
 * index on api_key_id (whose only reader, the revocation of a key's sessions, also wants the
 * unrevoked ones), so a session insert still maintains as many indexes as before.
 */
export class PostgresBoundedGrowth1796342400001 implements MigrationInterface {
  name = 'PostgresBoundedGrowth1796342400001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_sessions_api_key_live" ON "sessions" ("api_key_id", "id", "expires_at", "revoked_at") WHERE revoked_at IS NULL`,
    );
    await queryRunner.query(`DROP INDEX "public"."ix_sessions_api_key_id"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "ix_sessions_api_key_id" ON "sessions" ("api_key_id") `);
    await queryRunner.query(`DROP INDEX "public"."ix_sessions_api_key_live"`);
  }
}

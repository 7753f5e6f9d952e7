import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SqliteWalletTokens1795349970466 implements MigrationInterface {
  name = 'SqliteWalletTokens1795349970466';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "wallet_tokens" ("id" varchar(36) PRIMARY KEY NOT NULL, "session_id" varchar(36) NOT NULL, "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "used_at" bigint)`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_wallet_tokens_session_id" ON "wallet_tokens" ("session_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_wallet_tokens_expires_at" ON "wallet_tokens" ("expires_at") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_wallet_tokens_expires_at"`);
    await queryRunner.query(`DROP INDEX "ix_wallet_tokens_session_id"`);
    await queryRunner.query(`DROP TABLE "wallet_tokens"`);
  }
}

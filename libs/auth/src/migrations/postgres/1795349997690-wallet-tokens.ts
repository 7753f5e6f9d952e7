import type { MigrationInterface, QueryRunner } from 'typeorm';

export class PostgresWalletTokens1795349997690 implements MigrationInterface {
  name = 'PostgresWalletTokens1795349997690';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "wallet_tokens" ("id" character varying(36) NOT NULL, "session_id" character varying(36) NOT NULL, "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "used_at" bigint, CONSTRAINT "PK_57dcaa3406f41aca594801b0d33" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_wallet_tokens_session_id" ON "wallet_tokens"  ("session_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_wallet_tokens_expires_at" ON "wallet_tokens"  ("expires_at") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_wallet_tokens_expires_at"`);
    await queryRunner.query(`DROP INDEX "public"."ix_wallet_tokens_session_id"`);
    await queryRunner.query(`DROP TABLE "wallet_tokens"`);
  }
}

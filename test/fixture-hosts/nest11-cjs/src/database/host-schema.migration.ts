import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The host's own schema, older than the auth library: its own `clients` (customers) and
 * `sessions` (web sessions) tables, with columns and indexes of its own, and a row in each.
 */
export class HostSchema1700000000000 implements MigrationInterface {
  name = 'HostSchema1700000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "clients" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "company" varchar(120) NOT NULL, "vat_number" varchar(32), "created_at" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_clients_name" ON "clients" ("company")`);
    await queryRunner.query(
      `CREATE TABLE "sessions" ("sid" varchar(64) PRIMARY KEY NOT NULL, "data" text NOT NULL, "expires_at" datetime NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "ix_sessions_expires_at" ON "sessions" ("expires_at")`);
    await queryRunner.query(
      `INSERT INTO "clients" ("company", "vat_number") VALUES ('Acme Corp', 'DE123456789')`,
    );
    await queryRunner.query(
      `INSERT INTO "sessions" ("sid", "data", "expires_at") VALUES ('host-web-session-1', '{"cart":[42]}', '2099-01-01 00:00:00')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "sessions"`);
    await queryRunner.query(`DROP TABLE "clients"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The security-event outbox (issue 21): a trigger copies each security event into it as the
 * audit event is inserted, in the same transaction, whichever statement wrote it. The relay
 * delivers the rows and deletes them. The types are SECURITY_EVENT_TYPES (security-event.ts).
 * (The writers copy their events themselves since 1797000000000-security-event-capture-in-writes.)
 */
export class SqliteSecurityEventOutbox1796600000000 implements MigrationInterface {
  name = 'SqliteSecurityEventOutbox1796600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "security_event_outbox" ("id" varchar(36) PRIMARY KEY NOT NULL, "type" varchar(64) NOT NULL, "api_user_id" varchar(36), "session_id" varchar(36), "api_key_id" varchar(32), "ip" varchar(64), "data" text, "created_at" bigint NOT NULL, "next_attempt_at" bigint NOT NULL, "attempts" integer NOT NULL DEFAULT (0))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_security_event_outbox_due" ON "security_event_outbox" ("next_attempt_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_security_event_outbox_session" ON "security_event_outbox" ("session_id", "id") `,
    );
    await queryRunner.query(
      `CREATE TRIGGER "tg_security_event_outbox_capture" AFTER INSERT ON "audit_events"
       WHEN NEW."type" IN ('refresh_token.reused', 'session.revoked', 'api_key.created', 'api_key.revoked', 'api_user.suspended', 'signing_key.rotated', 'signing_key.revoked')
       BEGIN
         INSERT INTO "security_event_outbox"
           ("id", "type", "api_user_id", "session_id", "api_key_id", "ip", "data", "created_at", "next_attempt_at")
         VALUES (NEW."id", NEW."type", NEW."api_user_id", NEW."session_id", NEW."api_key_id", NEW."ip",
                 NEW."data", NEW."created_at", NEW."created_at");
       END`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "tg_security_event_outbox_capture"`);
    await queryRunner.query(`DROP TABLE "security_event_outbox"`);
  }
}

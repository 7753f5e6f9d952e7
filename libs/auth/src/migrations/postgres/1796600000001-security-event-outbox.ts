import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The WHEN clause spares the other events (every token issued or refreshed) the call. */
export const CREATE_CAPTURE_TRIGGER = `CREATE TRIGGER "tg_security_event_outbox_capture" AFTER INSERT ON "audit_events" FOR EACH ROW
       WHEN (NEW."type" IN ('refresh_token.reused', 'session.revoked', 'api_key.created', 'api_key.revoked', 'api_user.suspended', 'signing_key.rotated', 'signing_key.revoked'))
       EXECUTE FUNCTION "fn_security_event_outbox_capture"()`;

/**
 * The security-event outbox (issue 21): a trigger copies each security event into it as the
 * audit event is inserted, so the copy commits or rolls back with the change it records,
 * whichever statement wrote it (the ORM's or the hot paths' own SQL). The relay delivers the
 * rows and deletes them. The types are SECURITY_EVENT_TYPES (security-event.ts). (The writers
 * copy their events themselves since 1797000000001-security-event-capture-in-writes.)
 */
export class PostgresSecurityEventOutbox1796600000001 implements MigrationInterface {
  name = 'PostgresSecurityEventOutbox1796600000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "security_event_outbox" ("id" character varying(36) NOT NULL, "type" character varying(64) NOT NULL, "api_user_id" character varying(36), "session_id" character varying(36), "api_key_id" character varying(32), "ip" character varying(64), "data" text, "created_at" bigint NOT NULL, "next_attempt_at" bigint NOT NULL, "attempts" integer NOT NULL DEFAULT 0, CONSTRAINT "PK_2558b4b9ad4ea50616e7e4dc4ef" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_security_event_outbox_due" ON "security_event_outbox" ("next_attempt_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_security_event_outbox_session" ON "security_event_outbox" ("session_id", "id") `,
    );
    await queryRunner.query(
      `CREATE FUNCTION "fn_security_event_outbox_capture"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO "security_event_outbox"
          ("id", "type", "api_user_id", "session_id", "api_key_id", "ip", "data", "created_at", "next_attempt_at")
        VALUES (NEW."id", NEW."type", NEW."api_user_id", NEW."session_id", NEW."api_key_id", NEW."ip",
                NEW."data", NEW."created_at", NEW."created_at");
        RETURN NULL;
      END $$`,
    );
    await queryRunner.query(CREATE_CAPTURE_TRIGGER);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "tg_security_event_outbox_capture" ON "audit_events"`);
    await queryRunner.query(`DROP FUNCTION "fn_security_event_outbox_capture"()`);
    await queryRunner.query(`DROP TABLE "security_event_outbox"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

const TYPES = `'refresh_token.reused', 'session.revoked', 'api_key.created', 'api_key.revoked', 'api_user.suspended', 'signing_key.rotated', 'signing_key.revoked'`;

/** The capture trigger, copying an event only when `condition` holds. */
export const captureTrigger = (condition: string) =>
  `CREATE TRIGGER "tg_security_event_outbox_capture" AFTER INSERT ON "audit_events"
   WHEN NEW."type" IN (${TYPES})
   BEGIN
     INSERT INTO "security_event_outbox"
       ("id", "type", "api_user_id", "session_id", "api_key_id", "ip", "data", "created_at", "next_attempt_at")
     SELECT NEW."id", NEW."type", NEW."api_user_id", NEW."session_id", NEW."api_key_id", NEW."ip",
            NEW."data", NEW."created_at", NEW."created_at"
     WHERE ${condition};
   END`;

/**
 * Security events are copied to the outbox only while some instance delivers them (a row in
 * `security_event_consumers`). Without a webhook or a handler anywhere, the copy was written and
 * then dropped: at the session cap, one row a token request for nothing.
 */
export class SqliteSecurityEventConsumers1796700000000 implements MigrationInterface {
  name = 'SqliteSecurityEventConsumers1796700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "security_event_consumers" ("instance_id" varchar(36) PRIMARY KEY NOT NULL, "seen_at" bigint NOT NULL)`,
    );
    await queryRunner.query(`DROP TRIGGER "tg_security_event_outbox_capture"`);
    await queryRunner.query(captureTrigger(`EXISTS (SELECT 1 FROM "security_event_consumers")`));
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "tg_security_event_outbox_capture"`);
    await queryRunner.query(captureTrigger('1'));
    await queryRunner.query(`DROP TABLE "security_event_consumers"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The capture function, copying an event only when `condition` holds. */
export const captureFunction = (condition: string) =>
  `CREATE OR REPLACE FUNCTION "fn_security_event_outbox_capture"() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF ${condition} THEN
      INSERT INTO "security_event_outbox"
        ("id", "type", "api_user_id", "session_id", "api_key_id", "ip", "data", "created_at", "next_attempt_at")
      VALUES (NEW."id", NEW."type", NEW."api_user_id", NEW."session_id", NEW."api_key_id", NEW."ip",
              NEW."data", NEW."created_at", NEW."created_at");
    END IF;
    RETURN NULL;
  END $$`;

/**
 * Security events are copied to the outbox only while some instance delivers them (a row in
 * `security_event_consumers`). Without a webhook or a handler anywhere, the copy was written and
 * then dropped: at the session cap, one row a token request for nothing. (PostgreSQL allows no
 * subquery in a trigger's WHEN: the function checks.)
 */
export class PostgresSecurityEventConsumers1796700000001 implements MigrationInterface {
  name = 'PostgresSecurityEventConsumers1796700000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "security_event_consumers" ("instance_id" character varying(36) NOT NULL, "seen_at" bigint NOT NULL, CONSTRAINT "PK_247d839b926649e65cd9eaed8a2" PRIMARY KEY ("instance_id"))`,
    );
    await queryRunner.query(captureFunction(`EXISTS (SELECT 1 FROM "security_event_consumers")`));
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(captureFunction('true'));
    await queryRunner.query(`DROP TABLE "security_event_consumers"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CREATE_CAPTURE_TRIGGER } from './1796600000001-security-event-outbox';
import { captureFunction } from './1796700000001-security-event-consumers';

/**
 * Security events are copied to the outbox by the code that writes them, in its transaction
 * (captureSecurityEvents, and the session cap's own statement), instead of by a trigger on
 * `audit_events` (see the SQLite migration of the same name).
 */
export class PostgresSecurityEventCaptureInWrites1797000000001 implements MigrationInterface {
  name = 'PostgresSecurityEventCaptureInWrites1797000000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "tg_security_event_outbox_capture" ON "audit_events"`);
    await queryRunner.query(`DROP FUNCTION "fn_security_event_outbox_capture"()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(captureFunction(`EXISTS (SELECT 1 FROM "security_event_consumers")`));
    await queryRunner.query(CREATE_CAPTURE_TRIGGER);
  }
}

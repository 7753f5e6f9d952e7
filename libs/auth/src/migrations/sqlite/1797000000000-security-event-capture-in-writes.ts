import type { MigrationInterface, QueryRunner } from 'typeorm';
import { captureTrigger } from './1796700000000-security-event-consumers';

/**
 * Security events are copied to the outbox by the code that writes them, in its transaction
 * (captureSecurityEvents, and the session cap's own statement), instead of by a trigger on
 * `audit_events`. The trigger ran for every audit row, every token request's and refresh's
 * included, to copy the few that are security events: 3-4 % of those requests' CPU.
 */
export class SqliteSecurityEventCaptureInWrites1797000000000 implements MigrationInterface {
  name = 'SqliteSecurityEventCaptureInWrites1797000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "tg_security_event_outbox_capture"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(captureTrigger(`EXISTS (SELECT 1 FROM "security_event_consumers")`));
  }
}

import { AuditEventsRepository } from '../../libs/auth/src/audit/audit-events.repository';
import { uuidv7Floor } from '../../libs/auth/src/common/ids';
import { SessionCleanupService } from '../../libs/auth/src/sessions/session-cleanup.service';
import { countingTurns } from '../support/event-loop-turns';
import { adminTokens } from '../support/factories';
import { startTestApp, type TestApp } from '../support/test-app';

const DAY_MS = 86_400_000;

describe('Audit retention (AUDIT_RETENTION_DAYS)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { AUDIT_RETENTION_DAYS: '30' } });
  });
  afterAll(() => t.dispose());

  const eventIds = async (): Promise<string[]> =>
    (await t.dataSource.query('SELECT id FROM audit_events ORDER BY id')).map(
      (row: { id: string }) => row.id,
    );

  it('deletes events older than the retention in bounded steps, and keeps the others', async () => {
    for (let i = 0; i < 9; i += 1) await adminTokens(t.http);
    const now = Date.now();
    const recorded = await eventIds();
    // Backdated as if written then: the time in the id too (ids are UUIDv7, made with the event).
    const backdate = async (id: string, ms: number): Promise<void> => {
      const old = `${uuidv7Floor(ms).slice(0, 13)}${id.slice(13)}`;
      await t.dataSource.query(
        `UPDATE audit_events SET created_at = ${ms}, id = '${old}' WHERE id = '${id}'`,
      );
    };
    for (const id of recorded.slice(0, 7)) await backdate(id, now - 31 * DAY_MS);
    // One just inside the retention stays.
    await backdate(recorded[7], now - 29 * DAY_MS);
    const all = await eventIds();

    const cleanup = t.app.get(SessionCleanupService);
    const sizes = { ...cleanup.stepSizes };
    Object.assign(cleanup.stepSizes, { auditDeletes: 3 });
    const deletes = jest.spyOn(t.app.get(AuditEventsRepository), 'deleteSomeCreatedBefore');
    try {
      const { result: report, turns } = await countingTurns(() => cleanup.run(now));
      expect(report.auditEventsDeleted).toBe(7);
      // Seven events, at most three a step: three steps, with a turn between them.
      expect(deletes.mock.calls.map((call) => call[1])).toEqual([3, 3, 3]);
      expect(turns).toBeGreaterThanOrEqual(2);
    } finally {
      Object.assign(cleanup.stepSizes, sizes);
      jest.restoreAllMocks();
    }
    const left = await eventIds();
    expect(left).toEqual(all.slice(7));
  });
});

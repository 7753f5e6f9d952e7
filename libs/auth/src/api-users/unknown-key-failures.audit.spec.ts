import type { AuditEventEntity } from '../audit/audit-event.entity';
import type { AuditService } from '../audit/audit.service';
import { UnknownKeyFailuresAudit } from './unknown-key-failures.audit';

/** An audit store in memory: rows by id, and every write made. */
class FakeAudit {
  readonly rows = new Map<string, { ip: string | null; data: unknown; createdAt: number }>();
  writes = 0;
  /** Writes wait for this, so a test can hold one in flight. */
  gate: Promise<void> = Promise.resolve();

  async insertAlone(event: AuditEventEntity): Promise<void> {
    this.writes += 1;
    await this.gate;
    this.rows.set(event.id, {
      ip: event.ip,
      data: JSON.parse(event.data ?? 'null'),
      createdAt: event.createdAt,
    });
  }

  async rewriteData(id: string, data: unknown): Promise<void> {
    this.writes += 1;
    await this.gate;
    const row = this.rows.get(id);
    if (row) row.data = data;
  }
}

const T0 = 1_000_000;

describe('UnknownKeyFailuresAudit', () => {
  it('keeps one event per address and minute, and starts another after the minute', async () => {
    const audit = new FakeAudit();
    const failures = new UnknownKeyFailuresAudit(audit as unknown as AuditService);
    for (let i = 0; i < 3; i += 1) await failures.record('203.0.113.1', T0 + i);
    await failures.record('198.51.100.1', T0 + 5);
    await failures.record('203.0.113.1', T0 + 60_000);

    const rows = [...audit.rows.values()];
    expect(rows).toEqual([
      { ip: '203.0.113.1', data: { reason: 'unknown_api_key', count: 3 }, createdAt: T0 },
      { ip: '198.51.100.1', data: { reason: 'unknown_api_key', count: 1 }, createdAt: T0 + 5 },
      {
        ip: '203.0.113.1',
        data: { reason: 'unknown_api_key', count: 1 },
        createdAt: T0 + 60_000,
      },
    ]);
  });

  it('coalesces the writes of concurrent failures, each answered once its count is stored', async () => {
    const audit = new FakeAudit();
    const failures = new UnknownKeyFailuresAudit(audit as unknown as AuditService);
    let open = (): void => undefined;
    audit.gate = new Promise((resolve) => (open = resolve));
    let firstAnswered = false;
    const first = failures.record('203.0.113.2', T0).then(() => (firstAnswered = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(audit.writes).toBe(1); // the insert, in flight
    const others = Array.from({ length: 49 }, () => failures.record('203.0.113.2', T0 + 1));
    await new Promise((resolve) => setImmediate(resolve));
    expect(firstAnswered).toBe(false);
    open();
    await Promise.all([first, ...others]);
    expect([...audit.rows.values()].map((row) => row.data)).toEqual([
      { reason: 'unknown_api_key', count: 50 },
    ]);
    // The insert, then one rewrite carrying the 49 failures that arrived meanwhile.
    expect(audit.writes).toBe(2);
  });
});

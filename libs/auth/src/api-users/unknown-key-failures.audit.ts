import { Injectable } from '@nestjs/common';
import { AuditService, toAuditEvent } from '../audit/audit.service';
import { nowMs } from '../common/clock';
import { uuidv7 } from '../common/ids';

const WINDOW_MS = 60_000;
/** Addresses tracked at most; past that, expired windows go first, then the oldest. */
export const MAX_TRACKED_ADDRESSES = 50_000;

interface Window {
  startedAt: number;
  eventId: string;
  /** Failures seen in this window. */
  count: number;
  /** The count the stored event carries (0: not written yet). */
  written: number;
  /** The window's writes, one after the other. */
  writes: Promise<void>;
}

/**
 * `auth.failed` events for unknown API key ids: at most one per client address per minute,
 * carrying the number of failures in `data.count`. Made-up key ids cost an attacker nothing,
 * and one row each let a flood grow the audit table without bound; a known key's failures
 * keep one event each (they concern a real user's history).
 *
 * The first failure of a window inserts the event; later ones rewrite its count. Writes of a
 * window run one after the other, and each request waits for a write that carries its own
 * failure, so the count is stored before the 401 goes out. Under a flood the writes coalesce:
 * a write stores the latest count, and the requests it covers write nothing more.
 */
@Injectable()
export class UnknownKeyFailuresAudit {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly audit: AuditService) {}

  record(ip: string | null, now = nowMs()): Promise<void> {
    const address = ip ?? 'unknown';
    let window = this.windows.get(address);
    if (!window || now - window.startedAt >= WINDOW_MS) {
      this.windows.delete(address);
      window = this.open(now);
      this.windows.set(address, window);
      this.bound(now);
    } else {
      window.count += 1;
    }
    return this.writeThrough(window, ip, window.count);
  }

  /** Resolves once the stored event carries at least `count`. */
  private writeThrough(window: Window, ip: string | null, count: number): Promise<void> {
    const write = async (): Promise<void> => {
      if (window.written >= count) return;
      const latest = window.count;
      const data = { reason: 'unknown_api_key', count: latest };
      if (window.written === 0) {
        const event = toAuditEvent({ type: 'auth.failed', ip, data }, window.startedAt);
        event.id = window.eventId;
        await this.audit.insertAlone(event);
      } else {
        await this.audit.rewriteData(window.eventId, data);
      }
      window.written = Math.max(window.written, latest);
    };
    // A failed write fails its own request; the next one tries again.
    const result = window.writes.then(write, write);
    window.writes = result.catch(() => undefined);
    return result;
  }

  private open(now: number): Window {
    return { startedAt: now, eventId: uuidv7(), count: 1, written: 0, writes: Promise.resolve() };
  }

  /** Insertion order is start order: expired windows are the first ones. */
  private bound(now: number): void {
    for (const [address, window] of this.windows) {
      if (this.windows.size <= MAX_TRACKED_ADDRESSES && now - window.startedAt < WINDOW_MS) break;
      this.windows.delete(address);
    }
  }
}

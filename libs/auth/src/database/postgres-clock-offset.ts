import type { PgQueryable } from './postgres-pool';

/** How often the offset is measured again. */
const REMEASURE_MS = 60_000;
/** Only an answer this quick tells the offset to within half of it. */
const MAX_ROUND_TRIP_MS = 50;

/**
 * The PostgreSQL server's clock against this process's, so that a deadline set here can be
 * checked there (`clock_timestamp()`, at the instant a write takes effect). Measured in the
 * background about once a minute from a quick query; 0 until the first measurement.
 */
export class PostgresClockOffset {
  private offsetMs = 0;
  private measuredAt = -Infinity;
  private measuring = false;

  constructor(private readonly pool: PgQueryable) {}

  /** `epochMs` of this process's clock on the server's. */
  toServerClock(epochMs: number): number {
    if (!this.measuring && performance.now() - this.measuredAt > REMEASURE_MS) void this.measure();
    return epochMs + this.offsetMs;
  }

  private async measure(): Promise<void> {
    this.measuring = true;
    try {
      const sentAt = Date.now();
      const sent = performance.now();
      const { rows } = await this.pool.query<{ now: number }>({
        name: 'auth_server_clock',
        text: 'SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now',
        values: [],
      });
      const roundTrip = performance.now() - sent;
      if (roundTrip <= MAX_ROUND_TRIP_MS) {
        this.offsetMs = Number(rows[0].now) - (sentAt + roundTrip / 2);
        this.measuredAt = performance.now();
      }
    } catch {
      // The database is unavailable: the next write tries again.
    } finally {
      this.measuring = false;
    }
  }
}

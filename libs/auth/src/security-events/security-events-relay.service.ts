import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { nowMs } from '../common/clock';
import { nextAttemptAt } from './retry-schedule';
import type { SecurityEvent } from './security-event';
import { type ClaimedEvent, SecurityEventOutbox } from './security-event-outbox';
import { WebhookSender, WEBHOOK_TIMEOUT_MS } from './webhook-sender';

/** How often the outbox is read when the last read found less than a batch. */
const POLL_MS = 1000;
/** Rows claimed (and delivered side by side) per read. */
const BATCH = 20;
/** Rows deleted per statement when there is nowhere to deliver them. */
const DROP_BATCH = 1000;
/** A claimed row is another relay's again after this: well past one delivery's timeout. */
const LEASE_MS = 6 * WEBHOOK_TIMEOUT_MS;

type Sink = (event: SecurityEvent) => Promise<void>;

/**
 * Delivers the security events of the outbox, off every request: to the webhook (signed, see
 * WebhookSender) and to the host's `onSecurityEvent`, at least once each, in order per
 * session. A delivery that fails is tried again on the retry schedule for 24 h (retry-schedule.ts),
 * across restarts (the schedule is in the row). With neither a webhook nor a handler, the rows
 * are simply dropped. Runs in each instance (`relaySecurityEvents`, default true); the claims
 * keep instances from delivering one event at the same time.
 */
@Injectable()
export class SecurityEventsRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SecurityEvents');
  private readonly sinks: Sink[] = [];
  private timer?: NodeJS.Timeout;
  private pass?: Promise<void>;
  private stopped = false;

  constructor(
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
    private readonly outbox: SecurityEventOutbox,
  ) {
    if (options.webhook) {
      const sender = new WebhookSender(options.webhook);
      this.sinks.push((event) => sender.send(event));
    }
    const handler = options.onSecurityEvent;
    if (handler) this.sinks.push(async (event) => handler(event));
  }

  onApplicationBootstrap(): void {
    if (this.options.relaySecurityEvents) this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.pass;
  }

  /**
   * One pass: claims a batch, delivers it side by side, then deletes what is done in one
   * statement. Resolves with the number of rows handled (a full batch: go on at once). With
   * no webhook and no handler, only deletes rows, a larger batch at a time: at the session
   * cap every token request revokes a session, an event a request.
   */
  private async runOnce(): Promise<number> {
    if (this.sinks.length === 0) {
      return (await this.outbox.drop(DROP_BATCH)) === DROP_BATCH ? BATCH : 0;
    }
    const claimed = await this.outbox.claimDue(nowMs(), nowMs() + LEASE_MS, BATCH);
    const done = await Promise.all(claimed.map((row) => this.deliver(row)));
    await this.outbox.remove(claimed.filter((_, i) => done[i]).map((row) => row.event.id));
    return claimed.length;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.pass = this.runOnce().then(
        (claimed) => this.schedule(claimed === BATCH ? 0 : POLL_MS),
        (error: unknown) => {
          // The database is away: the rows wait, and the next pass tries again.
          this.logger.warn(`could not read the outbox: ${describe(error)}`);
          this.schedule(POLL_MS);
        },
      );
    }, delayMs);
    this.timer.unref();
  }

  /** True when the row is done with (delivered, or given up on); false when rescheduled. */
  private async deliver({ event, createdAt, attempts }: ClaimedEvent): Promise<boolean> {
    try {
      for (const sink of this.sinks) await sink(event);
    } catch (error) {
      const at = nextAttemptAt(
        attempts,
        nowMs(),
        createdAt,
        this.options.securityEventRetryScheduleSeconds,
        this.options.securityEventMaxAgeSeconds * 1000,
      );
      if (at !== null) {
        this.logger.warn(
          `security event ${event.id} (${event.type}) not delivered, attempt ${attempts}: ${describe(error)}; next attempt in ${Math.round((at - nowMs()) / 1000)} s`,
        );
        await this.outbox.reschedule(event.id, at);
        return false;
      }
      this.logger.error(
        `gave up delivering security event ${event.id} (${event.type}) after ${attempts} attempts: ${describe(error)}`,
      );
    }
    return true;
  }
}

/** An error's class and message, short: a receiver's or a host handler's, never a secret of ours. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.name}: ${error.message}${cause}`.slice(0, 300);
}

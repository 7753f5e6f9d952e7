import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { nowMs } from '../common/clock';
import { nextAttemptAt } from './retry-schedule';
import type { SecurityEvent } from './security-event';
import { SecurityEventConsumers } from './security-event-consumers';
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
/** How often a delivering instance renews its consumer row, and stale rows are removed. */
const CONSUMERS_EVERY_MS = 60_000;

type Sink = (event: SecurityEvent) => Promise<void>;

/**
 * Delivers the security events of the outbox, off every request: to the webhook (signed, see
 * WebhookSender) and to the host's `onSecurityEvent`, at least once each, in order per
 * session. A delivery that fails is tried again on the retry schedule for 24 h (retry-schedule.ts),
 * across restarts (the schedule is in the row). Runs in each instance (`relaySecurityEvents`,
 * default true); the claims keep instances from delivering one event at the same time.
 *
 * An instance that delivers keeps a row in `security_event_consumers`, and events are copied
 * to the outbox only while such a row exists (see captureSecurityEvents). The row survives the
 * instance's restarts: it is removed once unseen for the events' maximum age, after which what it would
 * have delivered would be given up on anyway. An instance with neither a webhook nor a handler
 * drops the outbox's rows, but only when no instance delivers (left from before the last one
 * went): otherwise they are another instance's to deliver.
 */
@Injectable()
export class SecurityEventsRelay
  implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger('SecurityEvents');
  private readonly sinks: Sink[] = [];
  private timer?: NodeJS.Timeout;
  private pass?: Promise<void>;
  private stopped = false;
  /** When the consumer rows were last seen to (0: at the next pass). */
  private consumersAt = 0;

  constructor(
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
    private readonly outbox: SecurityEventOutbox,
    private readonly consumers: SecurityEventConsumers,
  ) {
    if (options.webhook) {
      const sender = new WebhookSender(options.webhook);
      this.sinks.push((event) => sender.send(event));
    }
    const handler = options.onSecurityEvent;
    if (handler) this.sinks.push(async (event) => handler(event));
  }

  /**
   * Registers this instance as a consumer at module initialisation, before anything of the
   * application's start-up writes an event (the bootstrap admin's key is created at bootstrap),
   * and before it serves. Should the database be away, the first pass registers.
   */
  async onModuleInit(): Promise<void> {
    if (!this.options.relaySecurityEvents) return;
    await this.maintainConsumers().catch((error: unknown) => {
      this.logger.warn(`could not register as a security-event consumer: ${describe(error)}`);
    });
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
   * no webhook and no handler, only deletes the rows left from when some instance delivered,
   * a larger batch at a time, once none does.
   */
  private async runOnce(): Promise<number> {
    if (nowMs() - this.consumersAt >= CONSUMERS_EVERY_MS) await this.maintainConsumers();
    if (this.sinks.length === 0) {
      if (await this.consumers.any()) return 0;
      return (await this.outbox.drop(DROP_BATCH)) === DROP_BATCH ? BATCH : 0;
    }
    const claimed = await this.outbox.claimDue(nowMs(), nowMs() + LEASE_MS, BATCH);
    const done = await Promise.all(claimed.map((row) => this.deliver(row)));
    await this.outbox.remove(claimed.filter((_, i) => done[i]).map((row) => row.event.id));
    return claimed.length;
  }

  /** Renews this instance's consumer row (when it delivers) and removes the stale ones. */
  private async maintainConsumers(): Promise<void> {
    const now = nowMs();
    if (this.sinks.length > 0) await this.consumers.seen(now);
    await this.consumers.forgetUnseenSince(now - this.options.securityEventMaxAgeSeconds * 1000);
    this.consumersAt = now;
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

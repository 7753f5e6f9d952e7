import { Counter, type Registry } from 'prom-client';
import {
  AUTH_FAILURE_REASONS,
  type AuthFailureReason,
  type AuthMetricsSink,
  REFRESH_RESULTS,
  type RefreshResult,
  SESSION_REVOKED_REASONS,
  type SessionRevokedReason,
  TOKEN_GRANTS,
  type TokenGrant,
} from '../../libs/auth/src';

/**
 * One counter per label value, made at start-up: an event adds 1 to a plain number (no label
 * object, no key string, no validation); prom-client reads the numbers when scraped.
 */
class LabelledCounts<Label extends string> {
  private readonly counts = new Map<Label, { value: number }>();

  constructor(
    registry: Registry,
    name: string,
    help: string,
    labelName: string,
    labels: readonly Label[],
  ) {
    for (const label of labels) this.counts.set(label, { value: 0 });
    const counts = this.counts;
    new Counter({
      name,
      help,
      labelNames: [labelName],
      registers: [registry],
      collect() {
        this.reset();
        for (const [label, count] of counts) this.inc({ [labelName]: label }, count.value);
      },
    });
  }

  /** The count of one label value; a value outside the list (a newer library) gets one too. */
  of(label: Label): { value: number } {
    let count = this.counts.get(label);
    if (count === undefined) this.counts.set(label, (count = { value: 0 }));
    return count;
  }
}

/** The library's counts as the contract's Prometheus counters. */
export class PrometheusAuthMetrics implements AuthMetricsSink {
  private readonly issued: LabelledCounts<TokenGrant>;
  private readonly refreshes: LabelledCounts<RefreshResult>;
  private readonly revoked: LabelledCounts<SessionRevokedReason>;
  private readonly failed: LabelledCounts<AuthFailureReason>;
  private limited = 0;

  constructor(registry: Registry) {
    this.issued = new LabelledCounts(
      registry,
      'auth_tokens_issued_total',
      'Tokens issued, by grant: api_key, refresh_token, host.',
      'grant',
      TOKEN_GRANTS,
    );
    this.refreshes = new LabelledCounts(
      registry,
      'auth_refresh_total',
      'Refresh-token exchanges, by result, whatever their wire format.',
      'result',
      REFRESH_RESULTS,
    );
    this.revoked = new LabelledCounts(
      registry,
      'auth_sessions_revoked_total',
      'Sessions revoked, by reason.',
      'reason',
      SESSION_REVOKED_REASONS,
    );
    this.failed = new LabelledCounts(
      registry,
      'auth_failed_total',
      'Failed authentications, by reason.',
      'reason',
      AUTH_FAILURE_REASONS,
    );
    const read = () => this.limited;
    new Counter({
      name: 'auth_rate_limited_total',
      help: 'Requests refused with 429: the token endpoints per address, or an API key locked after failed secrets.',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  }

  tokenIssued(grant: TokenGrant): void {
    this.issued.of(grant).value += 1;
  }

  refresh(result: RefreshResult): void {
    this.refreshes.of(result).value += 1;
  }

  sessionsRevoked(reason: SessionRevokedReason, count: number): void {
    this.revoked.of(reason).value += count;
  }

  authFailed(reason: AuthFailureReason): void {
    this.failed.of(reason).value += 1;
  }

  rateLimited(): void {
    this.limited += 1;
  }
}

import { Injectable } from '@nestjs/common';
import { boundedMap } from '../common/bounded-map';

/** Tokens remembered at most; the oldest are dropped first. */
export const MAX_UNANSWERED = 100_000;

/** How long a client is expected to take to retry after an outage. */
const REMEMBERED_MS = 60 * 60 * 1000;

/**
 * Refresh tokens whose rotation this instance answered with an error because the database was
 * unavailable, and whose write may yet have taken effect: it was sent, and a database that
 * froze between the write's checks and its commit commits it when it resumes, after the answer.
 * No one ever saw the successor that write made. When the client presents the same token
 * again, finding it consumed is not a replay: the exchange resumes the chain from that unseen
 * successor instead of revoking the session (RefreshRotationService.resume).
 *
 * Per instance: a retry reaching another instance finds no entry. The write's deadline
 * (RotationAttempt.deadline) keeps such late commits to that freeze window.
 */
@Injectable()
export class UnansweredRotations {
  private readonly answeredAt = boundedMap<number>(MAX_UNANSWERED);

  /** The rotation of `tokenHash` was answered with an error at `now`. */
  add(tokenHash: string, now: number): void {
    this.answeredAt.set(tokenHash, now);
  }

  /** Whether `tokenHash` was answered so (recently); forgets it, so it is resumed once. */
  take(tokenHash: string, now: number): boolean {
    const at = this.answeredAt.peek(tokenHash);
    if (at === undefined) return false;
    this.answeredAt.delete(tokenHash);
    return now - at < REMEMBERED_MS;
  }
}

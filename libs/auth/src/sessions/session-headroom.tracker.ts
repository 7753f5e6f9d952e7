import { Injectable } from '@nestjs/common';

/**
 * How long a count of a key's live sessions is trusted. Within it, openings decrement the
 * counted headroom instead of walking the key's sessions again; revocations made on another
 * instance are seen only at the next count, so within this window an opening at the cap may
 * revoke one session that such a revocation had already made room for (one per remotely
 * revoked session at most), and openings on other instances may take a key past its cap
 * until the next count brings it back.
 */
const FRESH_MS = 1000;

/** Keys tracked at most; the least recently counted are dropped (their next opening counts). */
export const MAX_TRACKED_KEYS = 50_000;

interface Headroom {
  /** Sessions the key may still open before reaching its cap. */
  headroom: number;
  /** When it was counted (monotonic ms); -Infinity once forgotten. */
  checkedAt: number;
  /** The instant the count was made at, on the sessions' clock (their `expires_at`'s). */
  countedAt: number;
  /**
   * False when the count may have missed openings of the key that ran at the same time (see
   * `record`): at the cap, the next opening counts again instead of trusting it.
   */
  exact: boolean;
  /** The tracker's sequence when a local revocation last made it unknown. */
  forgottenAt: number;
}

/** The openings of a key in progress on this instance. */
interface InFlight {
  openings: number;
  /** Openings begun while others were in progress: a change tells that one overlapped. */
  overlaps: number;
}

/**
 * One opening of a key, from `begin` to `finish`: what it does about the key's cap (count the
 * key's live sessions, nothing as room is left, or revoke the key's oldest live session in
 * its own write as the key is at its cap), and for a count what `record` needs.
 */
export interface Opening {
  readonly apiKeyId: string;
  readonly kind: 'count' | 'within-cap' | 'at-cap';
  /**
   * At the cap: the instant of the key's last count. Its sessions live then, not revoked since,
   * are the cap plus the new one: the oldest of them is the one to revoke (see OpeningLimit).
   */
  readonly countedAt: number;
  /** The tracker's sequence when it began: a later local revocation makes its count stale. */
  readonly ticket: number;
  /** Whether another opening of the key was in progress when it began, and the key's overlaps. */
  readonly joined: boolean;
  readonly overlapsAtStart: number;
}

/**
 * Per instance, each API key's room for more live sessions, so that a token request counts its
 * key's live sessions (a walk of up to the cap's index entries) about once a second per key
 * instead of every time.
 */
@Injectable()
export class SessionHeadroomTracker {
  private readonly entries = new Map<string, Headroom>();
  private readonly inFlight = new Map<string, InFlight>();
  /** Counts local revocations: a count begun before one is stale (see `record`). */
  private sequence = 0;

  /** Decides an opening of `apiKeyId`, taking one unit of its headroom when it has some. */
  begin(apiKeyId: string): Opening {
    const progress = this.inFlight.get(apiKeyId) ?? { openings: 0, overlaps: 0 };
    const joined = progress.openings > 0;
    if (joined) progress.overlaps += 1;
    progress.openings += 1;
    this.inFlight.set(apiKeyId, progress);
    const entry = this.entries.get(apiKeyId);
    const opening = (kind: Opening['kind']): Opening => ({
      apiKeyId,
      kind,
      countedAt: entry?.countedAt ?? 0,
      ticket: this.sequence,
      joined,
      overlapsAtStart: progress.overlaps,
    });
    if (!entry || performance.now() - entry.checkedAt > FRESH_MS) return opening('count');
    if (entry.headroom > 0) {
      entry.headroom -= 1;
      return opening('within-cap');
    }
    return opening(entry.exact ? 'at-cap' : 'count');
  }

  /** The opening is written (or failed). */
  finish(opening: Opening): void {
    const progress = this.inFlight.get(opening.apiKeyId);
    if (!progress) return;
    progress.openings -= 1;
    if (progress.openings === 0) this.inFlight.delete(opening.apiKeyId);
  }

  /**
   * The key's headroom after the count of `opening`, made at `countedAt` (before `finish`). Ignored when a local
   * revocation of the key came after the count began: the count may predate it, and trusting
   * it would make an opening revoke a session the revocation had made room for. Unless
   * `ordered` (the count saw every opening begun before it, as on SQLite), a count that ran
   * alongside other openings of the key may have missed some: it is kept, but marked inexact.
   */
  record(opening: Opening, headroom: number, countedAt: number, ordered: boolean): void {
    const entry = this.entries.get(opening.apiKeyId);
    if (entry && entry.forgottenAt > opening.ticket) return;
    const progress = this.inFlight.get(opening.apiKeyId);
    const overlapped =
      opening.joined || (progress !== undefined && progress.overlaps !== opening.overlapsAtStart);
    this.set(opening.apiKeyId, {
      headroom: Math.max(0, headroom),
      checkedAt: performance.now(),
      countedAt,
      exact: ordered || !overlapped,
      forgottenAt: entry?.forgottenAt ?? 0,
    });
  }

  /** A session of the key was revoked here, or an opening failed: its next opening counts. */
  forget(apiKeyId: string): void {
    this.sequence += 1;
    this.set(apiKeyId, {
      headroom: 0,
      checkedAt: -Infinity,
      countedAt: 0,
      exact: false,
      forgottenAt: this.sequence,
    });
  }

  private set(apiKeyId: string, entry: Headroom): void {
    // Re-inserted, so that the map's order is the order of last change and the first key is
    // the one to drop.
    this.entries.delete(apiKeyId);
    this.entries.set(apiKeyId, entry);
    if (this.entries.size > MAX_TRACKED_KEYS) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}

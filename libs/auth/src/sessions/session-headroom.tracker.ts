import { Injectable } from '@nestjs/common';
import { boundedMap } from '../common/bounded-map';

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
  /** The tracker's sequence when a local revocation last made it unknown. */
  forgottenAt: number;
  /** See `Opening.revokedUpTo`: kept across counts and forgetting, as it stays true. */
  revokedUpTo: string;
}

/** The openings of a key in progress on this instance, and a count waiting for them. */
interface KeyTraffic {
  openings: number;
  /** The ids of the sessions those openings write. */
  sessionIds: Set<string>;
  /** Settles when the key's count in progress (or waiting to start) is finished. */
  counting: Promise<void> | null;
  countFinished: () => void;
  /** Called when the last opening in progress finishes, for a count waiting to start. */
  drained: (() => void) | null;
}

/**
 * One opening of a key, from `begin` to `finish`: what it does about the key's cap (count the
 * key's live sessions, nothing as room is left, or revoke the key's oldest live session in
 * its own write as the key is at its cap), and for a count what `record` needs.
 */
export interface Opening {
  readonly apiKeyId: string;
  /** The session it writes. */
  readonly sessionId: string;
  readonly kind: 'count' | 'within-cap' | 'at-cap';
  /**
   * At the cap: the instant of the key's last count. Its sessions live then, not revoked since,
   * are the cap plus the new one: the oldest of them is the one to revoke (see OpeningLimit).
   */
  readonly countedAt: number;
  /**
   * At the cap: the newest session this instance revoked as its key's oldest, or '' if none.
   * Every session of the key up to it was revoked or expired then, so the search for the
   * oldest starts after it. (A session with a smaller id committed later, by another
   * instance with a slower clock, is not searched for; the key's next count revokes it if it
   * is beyond the cap.) On PostgreSQL this matters: a revoked session's entry stays in the
   * partial index of live sessions until vacuum, and a search from the start would walk every
   * session revoked since, a walk that grows with each opening at the cap.
   */
  readonly revokedUpTo: string;
  /**
   * At the cap: the oldest session this instance was still opening for the key when this
   * opening began, its own included. Only sessions older than it may be revoked as the oldest.
   * On PostgreSQL an instance's openings of one key run as concurrent statements, each seeing
   * what was committed when it began: without this bound, an opening could revoke a session
   * newer than one another statement has not committed yet, the oldest in truth (and, moving
   * `revokedUpTo` past it, leave that one live beyond the cap).
   */
  readonly revokeBelow: string;
  /** The tracker's sequence when it began: a later local revocation makes its count stale. */
  readonly ticket: number;
}

/**
 * Per instance, each API key's room for more live sessions, so that a token request counts its
 * key's live sessions (a walk of up to the cap's index entries) about once a second per key
 * instead of every time.
 *
 * A count must see every opening of its key made on this instance before it, and none may run
 * alongside it: where writes of one instance can overlap (PostgreSQL, `ordered` false: each
 * turn's openings are one statement, and statements run on several connections at once), a
 * count waits for the key's openings in progress to finish, and the key's openings begun
 * meanwhile wait for the count. On a hot key that is one short pause a second. Without it a
 * count could miss openings committed after its snapshot, and a key at its cap could not be
 * trusted to be at it.
 *
 * Where writes do not overlap (SQLite), a count waits for nothing, but the key's openings
 * begun meanwhile still wait for it, until it has revoked the sessions it found beyond the
 * cap and recorded the headroom. Otherwise each of them counted too (the count was due for
 * all), walking the cap's index entries and, as none revoked anything, finding the key over
 * its cap by the turn's new sessions: under the token benchmark about fifty counts a second
 * instead of one, each finding ten or more sessions beyond the cap. (Going on at the cap
 * instead of waiting is no better: those openings revoke the very sessions the count named
 * and is about to revoke, and the key stays one more over its cap at each count.)
 */
@Injectable()
export class SessionHeadroomTracker {
  /** In the order of last change: the first to drop is the least recently counted. */
  private readonly entries = boundedMap<Headroom>(MAX_TRACKED_KEYS);
  private readonly traffic = new Map<string, KeyTraffic>();
  /** Counts local revocations: a count begun before one is stale (see `record`). */
  private sequence = 0;

  /**
   * Decides an opening of `apiKeyId`, taking one unit of its headroom when it has some. Waits
   * for the key's count in progress; unless `ordered` (the dialect's writes of one instance
   * never overlap), a count waits for the key's openings in progress (see the class).
   * `sessionId` is the id of the session the opening writes.
   */
  async begin(apiKeyId: string, ordered: boolean, sessionId: string): Promise<Opening> {
    for (;;) {
      const traffic = this.trafficOf(apiKeyId);
      if (traffic.counting) {
        await traffic.counting;
        continue;
      }
      const opening = this.decide(apiKeyId, traffic, sessionId);
      if (opening.kind === 'count') {
        traffic.counting = new Promise((resolve) => (traffic.countFinished = resolve));
        if (!ordered && traffic.openings > 0) {
          await new Promise<void>((resolve) => (traffic.drained = resolve));
        }
      }
      traffic.openings += 1;
      traffic.sessionIds.add(sessionId);
      return opening;
    }
  }

  /** The opening is written (or failed). */
  finish(opening: Opening): void {
    const traffic = this.traffic.get(opening.apiKeyId);
    if (!traffic) return;
    traffic.openings -= 1;
    traffic.sessionIds.delete(opening.sessionId);
    if (opening.kind === 'count' && traffic.counting) {
      traffic.counting = null;
      traffic.countFinished();
    }
    if (traffic.openings === 0) {
      const drained = traffic.drained;
      traffic.drained = null;
      if (drained) drained();
      else if (!traffic.counting) this.traffic.delete(opening.apiKeyId);
    }
  }

  /**
   * The key's headroom after the count of `opening`, made at `countedAt` (before `finish`).
   * Ignored when a local revocation of the key came after the count began: the count may
   * predate it, and trusting it would make an opening revoke a session the revocation had made
   * room for.
   */
  record(opening: Opening, headroom: number, countedAt: number): void {
    const entry = this.entries.peek(opening.apiKeyId);
    if (entry && entry.forgottenAt > opening.ticket) return;
    this.entries.set(opening.apiKeyId, {
      headroom: Math.max(0, headroom),
      checkedAt: performance.now(),
      countedAt,
      forgottenAt: entry?.forgottenAt ?? 0,
      revokedUpTo: entry?.revokedUpTo ?? '',
    });
  }

  /**
   * An opening at the cap revoked `sessionId` as its key's oldest live session. Session ids
   * are UUIDv7, in creation order: the next search for the oldest starts after it.
   */
  revokedOldest(apiKeyId: string, sessionId: string): void {
    const entry = this.entries.peek(apiKeyId);
    if (entry && sessionId > entry.revokedUpTo) entry.revokedUpTo = sessionId;
  }

  /** A session of the key was revoked here, or an opening failed: its next opening counts. */
  forget(apiKeyId: string): void {
    this.sequence += 1;
    const revokedUpTo = this.entries.peek(apiKeyId)?.revokedUpTo ?? '';
    this.entries.set(apiKeyId, {
      headroom: 0,
      checkedAt: -Infinity,
      countedAt: 0,
      forgottenAt: this.sequence,
      revokedUpTo,
    });
  }

  private decide(apiKeyId: string, traffic: KeyTraffic, sessionId: string): Opening {
    const entry = this.entries.peek(apiKeyId);
    let revokeBelow = sessionId;
    for (const id of traffic.sessionIds) if (id < revokeBelow) revokeBelow = id;
    const opening = (kind: Opening['kind']): Opening => ({
      apiKeyId,
      sessionId,
      kind,
      countedAt: entry?.countedAt ?? 0,
      revokedUpTo: entry?.revokedUpTo ?? '',
      revokeBelow,
      ticket: this.sequence,
    });
    if (!entry || performance.now() - entry.checkedAt > FRESH_MS) return opening('count');
    if (entry.headroom > 0) {
      entry.headroom -= 1;
      return opening('within-cap');
    }
    return opening('at-cap');
  }

  private trafficOf(apiKeyId: string): KeyTraffic {
    let traffic = this.traffic.get(apiKeyId);
    if (!traffic) {
      traffic = {
        openings: 0,
        sessionIds: new Set(),
        counting: null,
        countFinished: () => {},
        drained: null,
      };
      this.traffic.set(apiKeyId, traffic);
    }
    return traffic;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { boundedMap } from '../common/bounded-map';
import { nowMs } from '../common/clock';
import { SessionsRepository } from './sessions.repository';

interface Entry {
  /** False once the session is known dead: that never changes back, so it is never re-read. */
  live: boolean;
  /** The session's absolute end, or its API key's expiry if sooner. */
  expiresAt: number;
  checkedAt: number;
}

/** Bounds memory: sessions beyond this many are evicted oldest-first. */
const MAX_ENTRIES = 100_000;

/**
 * Answers "is this session still live?" for the bearer guard on every request, cheaply.
 * A live answer is trusted for `sessionCheckTtlMs` (default 500 ms), so a revocation made by
 * any instance sharing the database is enforced here within that time; revocations made by
 * this instance apply at once. Concurrent checks of one session share one query.
 */
@Injectable()
export class SessionLivenessCache {
  private readonly entries = boundedMap<Entry>(MAX_ENTRIES);
  private readonly pending = new Map<string, Promise<Entry>>();
  private readonly endedListeners: ((sessionId: string) => void)[] = [];

  constructor(
    private readonly sessions: SessionsRepository,
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
  ) {}

  async isLive(sessionId: string): Promise<boolean> {
    const now = nowMs();
    let entry = this.entries.peek(sessionId);
    if (!entry || (entry.live && now - entry.checkedAt >= this.options.sessionCheckTtlMs)) {
      entry = await this.load(sessionId);
    }
    return entry.live && now < entry.expiresAt;
  }

  /** Records a revocation made by this instance, effective immediately here. */
  markRevoked(sessionId: string): void {
    this.entries.set(sessionId, { live: false, expiresAt: 0, checkedAt: nowMs() });
    this.announceEnded(sessionId);
  }

  /**
   * Calls `listener` whenever this instance learns that a session has ended: revoked here, or
   * found dead (revoked elsewhere, its key revoked, its user suspended, or gone) when checked.
   */
  onSessionEnded(listener: (sessionId: string) => void): void {
    this.endedListeners.push(listener);
  }

  private announceEnded(sessionId: string): void {
    for (const listener of this.endedListeners) listener(sessionId);
  }

  private load(sessionId: string): Promise<Entry> {
    let pending = this.pending.get(sessionId);
    if (!pending) {
      pending = this.sessions
        .findLiveness(sessionId)
        .then((state) => {
          const entry: Entry = {
            live:
              state !== null &&
              state.revokedAt === null &&
              state.apiKeyRevokedAt === null &&
              state.userStatus === 'active',
            expiresAt: state?.expiresAt ?? 0,
            checkedAt: nowMs(),
          };
          this.entries.set(sessionId, entry);
          if (!entry.live) this.announceEnded(sessionId);
          return entry;
        })
        .finally(() => this.pending.delete(sessionId));
      this.pending.set(sessionId, pending);
    }
    return pending;
  }
}

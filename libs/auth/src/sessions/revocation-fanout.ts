import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ClusterMessages } from '../cluster/cluster-messages';
import { UnitOfWork } from '../database/unit-of-work';
import { SessionLivenessCache } from './session-liveness.cache';

/** Session ids per message: a PostgreSQL NOTIFY payload must stay under 8000 bytes. */
const IDS_PER_MESSAGE = 100;
/**
 * Revocations made within this many ms go out together. At a key's session cap every token
 * request revokes one session: one NOTIFY (or PUBLISH) per 25 ms instead of per 5 ms keeps that
 * off the token path, well inside the 100 ms the other instances have to refuse them.
 */
const GATHER_MS = 25;

/**
 * Tells the other instances which sessions this one revoked, so that they refuse those
 * sessions' access tokens at once instead of when their liveness cache next re-reads the
 * session (SessionLivenessCache: at most `sessionCheckTtlMs` later). Announced only once the
 * revocation is committed, so an instance told can trust it for good. Revocations a few
 * milliseconds apart (a user's suspension, a burst at a key's session cap) share a message.
 */
@Injectable()
export class RevocationFanout implements OnModuleInit, OnApplicationShutdown {
  private gathered: string[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly messages: ClusterMessages,
    private readonly liveness: SessionLivenessCache,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  onModuleInit(): void {
    this.messages.on('sessions-revoked', ({ sessionIds }) =>
      sessionIds.forEach((id) => this.liveness.markRevoked(id)),
    );
  }

  onApplicationShutdown(): void {
    this.send();
  }

  /**
   * Announces `sessionIds` as revoked: once `manager`'s transaction commits, or at once (the
   * revocation is committed already) without one.
   */
  announce(sessionIds: string[], manager?: EntityManager): void {
    if (sessionIds.length === 0 || !this.messages.enabled) return;
    const gather = () => {
      this.gathered.push(...sessionIds);
      this.timer ??= setTimeout(() => this.send(), GATHER_MS);
    };
    if (manager) this.unitOfWork.afterCommit(manager, gather);
    else gather();
  }

  private send(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const ids = this.gathered;
    this.gathered = [];
    for (let i = 0; i < ids.length; i += IDS_PER_MESSAGE) {
      void this.messages.publish({
        kind: 'sessions-revoked',
        sessionIds: ids.slice(i, i + IDS_PER_MESSAGE),
      });
    }
  }
}

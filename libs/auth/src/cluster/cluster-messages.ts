import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { authTablePrefix } from '../database/auth-tables';
import { SharedStore } from '../shared-store/shared-store';
import { PostgresNotifyChannel } from './postgres-notify-channel';

/** What instances tell each other. */
export type ClusterMessage =
  /** These sessions were revoked (committed): refuse their access tokens now. */
  | { kind: 'sessions-revoked'; sessionIds: string[] }
  /** The signing-key set changed (committed): reload it now. */
  | { kind: 'signing-keys-changed' };

type Kind = ClusterMessage['kind'];
type Handler<K extends Kind> = (message: Extract<ClusterMessage, { kind: K }>) => void;

/** The channel's name, a PostgreSQL identifier too. */
const CHANNEL = 'auth_cluster';

interface Channel {
  send(message: string): Promise<void>;
  listen(receive: (message: string) => void): Promise<void> | void;
  close?(): Promise<void>;
}

/**
 * Messages from one instance to all the others sharing its database: Redis pub/sub when
 * `redisUrl` is set, else PostgreSQL's LISTEN/NOTIFY on PostgreSQL, else none (one instance).
 * Delivery is best effort, at most once, and only to instances listening at the time: what a
 * message speeds up must still happen without it (the caches expire on their own).
 */
@Injectable()
export class ClusterMessages implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ClusterMessages');
  /** Tells this instance's own messages apart: the channels deliver them back to it. */
  private readonly instanceId = randomUUID();
  private readonly handlers = new Map<Kind, (message: ClusterMessage) => void>();
  private channel?: Channel;

  constructor(
    private readonly shared: SharedStore,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** Whether messages reach other instances at all (Redis or PostgreSQL). */
  get enabled(): boolean {
    return this.shared.enabled || this.dataSource.options.type === 'postgres';
  }

  /**
   * Connects once every module has started (not at module init): a start-up that fails leaves
   * no connection behind, reconnecting for ever in a process meant to exit.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (this.shared.enabled) {
      const shared = this.shared;
      this.channel = {
        send: (message) => shared.publish(CHANNEL, message),
        listen: (receive) => shared.subscribe(CHANNEL, receive),
      };
    } else if (this.dataSource.options.type === 'postgres') {
      // Modules sharing a database under different table prefixes keep apart here too.
      this.channel = new PostgresNotifyChannel(this.dataSource, `${authTablePrefix()}${CHANNEL}`);
    }
    await this.channel?.listen((message) => this.receive(message));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.channel?.close?.();
  }

  /** Calls `handler` with each message of `kind` from another instance. */
  on<K extends Kind>(kind: K, handler: Handler<K>): void {
    this.handlers.set(kind, handler as (message: ClusterMessage) => void);
  }

  /** Tells every other instance; a failure is logged, never thrown (see the class). */
  async publish(message: ClusterMessage): Promise<void> {
    if (this.channel === undefined) return;
    try {
      await this.channel.send(JSON.stringify({ from: this.instanceId, ...message }));
    } catch (error) {
      this.logger.debug(
        `could not tell other instances (${error instanceof Error ? error.name : 'error'})`,
      );
    }
  }

  private receive(raw: string): void {
    let message: { from?: unknown } & Partial<ClusterMessage>;
    try {
      message = JSON.parse(raw) as typeof message;
    } catch {
      return;
    }
    if (message.from === this.instanceId || typeof message.kind !== 'string') return;
    if (message.kind === 'sessions-revoked') {
      const ids = message.sessionIds;
      if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string' && id.length <= 64))
        return;
    }
    this.handlers.get(message.kind)?.(message as ClusterMessage);
  }
}

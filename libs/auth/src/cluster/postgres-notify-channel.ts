import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { postgresPool } from '../database/postgres-pool';

/** A pg Pool as TypeORM's driver holds it: its options and its Client class. */
interface PgPoolInternals {
  options: Record<string, unknown>;
  Client: new (options: Record<string, unknown>) => PgListener;
}

interface PgListener {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
  on(
    event: 'notification',
    listener: (message: { channel: string; payload?: string }) => void,
  ): void;
  on(event: 'error' | 'end', listener: () => void): void;
}

/** The longest pause between attempts to listen again. */
const MAX_RETRY_DELAY_MS = 2000;

/**
 * Messages between instances through PostgreSQL's LISTEN/NOTIFY, for a deployment without
 * Redis. NOTIFY goes through the pool (delivered to every listener when it commits, at once
 * outside a transaction); LISTEN holds one connection of its own, outside the pool, opened
 * with the pool's settings and opened again (with a growing pause) whenever it is lost.
 * Messages sent while it is lost are not seen: the caches' own expiry bounds what that costs.
 */
export class PostgresNotifyChannel {
  private readonly logger = new Logger('ClusterMessages');
  private listener?: PgListener;
  private closed = false;
  private failures = 0;
  /** The next attempt to listen again, cancelled by `close`. */
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    /** A PostgreSQL identifier: letters, digits and `_` only. */
    private readonly channel: string,
  ) {}

  async send(message: string): Promise<void> {
    await this.dataSource.query('SELECT pg_notify($1, $2)', [this.channel, message]);
  }

  /** Starts listening; `receive` gets each payload. Resolves once listening (or first failed). */
  async listen(receive: (message: string) => void): Promise<void> {
    if (this.closed) return;
    const pool = postgresPool(this.dataSource) as unknown as PgPoolInternals;
    const client = new pool.Client(pool.options);
    this.listener = client;
    let lost = false;
    const relisten = () => {
      if (lost || this.closed) return;
      lost = true;
      client.end().catch(() => undefined);
      if (this.failures === 0)
        this.logger.warn(
          "not listening for other instances' messages: their revocations reach this one within 1.5 s until it listens again",
        );
      this.failures += 1;
      const delay = Math.min(100 * this.failures, MAX_RETRY_DELAY_MS);
      this.retry = setTimeout(() => void this.listen(receive), delay);
      this.retry.unref();
    };
    client.on('error', relisten);
    client.on('end', relisten);
    client.on('notification', ({ channel, payload }) => {
      if (channel === this.channel && payload !== undefined) receive(payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
      if (this.failures > 0) this.logger.log('listening for other instances again');
      this.failures = 0;
    } catch {
      relisten();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    await this.listener?.end().catch(() => undefined);
  }
}

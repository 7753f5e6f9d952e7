import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { UnitOfWork } from '../database/unit-of-work';
import { ApiKeyEntity } from '../api-users/api-key.entity';

/** How often the keys' last uses are written: `last_used_at` is this late at most (plus a write). */
export const KEY_USAGE_FLUSH_MS = 30_000;

/**
 * Keeps each API key's `last_used_at` to within a minute without a write per request: a token
 * exchange or refresh only notes the time in memory, and every KEY_USAGE_FLUSH_MS the noted
 * times are written in one statement (and once more at shutdown). The statement never moves a
 * time backwards, so instances sharing a database can write in any order.
 */
@Injectable()
export class KeyUsageRecorder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('KeyUsage');
  private pending = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private statement?: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  /** Notes that the key was used at `at` (epoch ms). */
  used(apiKeyId: string, at: number): void {
    this.pending.set(apiKeyId, at);
  }

  /** The last use noted here and not yet written, if any. */
  pendingUse(apiKeyId: string): number | undefined {
    return this.pending.get(apiKeyId);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.flush(), KEY_USAGE_FLUSH_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** Writes the noted uses in one statement; on failure they are kept for the next flush. */
  flush(): Promise<void> {
    this.flushing ??= this.write().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const uses = JSON.stringify([...batch].map(([id, at]) => ({ id, at })));
    try {
      await this.unitOfWork.write((manager) => manager.query(this.sql(), [uses]));
    } catch (error) {
      // Uses noted meanwhile are newer: they win over the batch's.
      for (const [id, at] of batch) if (!this.pending.has(id)) this.pending.set(id, at);
      this.logger.warn(
        `could not record the API keys' last use: ${error instanceof Error ? error.name : 'error'}`,
      );
    }
  }

  private sql(): string {
    if (this.statement) return this.statement;
    const table = `"${this.dataSource.getMetadata(ApiKeyEntity).tableName}"`;
    this.statement =
      this.dataSource.options.type === 'postgres'
        ? `UPDATE ${table} AS k SET last_used_at = GREATEST(COALESCE(k.last_used_at, 0), u.at)
           FROM json_to_recordset($1::json) AS u(id text, at bigint) WHERE k.id = u.id`
        : `UPDATE ${table} AS k SET last_used_at = MAX(COALESCE(k.last_used_at, 0), u.at)
           FROM (SELECT json_extract(value, '$.id') AS id, json_extract(value, '$.at') AS at
                 FROM json_each(?)) AS u
           WHERE k.id = u.id`;
    return this.statement;
  }
}

import { once } from 'node:events';
import { Command, Option, SubCommand } from 'nest-commander';
import { toAuditEventDto } from '../../libs/auth/src/audit/audit.mapper';
import { AuditService } from '../../libs/auth/src/audit/audit.service';
import { nowMs } from '../../libs/auth/src/common/clock';
import { CliUsageError, GroupCommand, OutputCommand, type JsonOption } from './cli-output';

interface ExportOptions extends JsonOption {
  since?: string;
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * `--since`: an ISO 8601 date or date-time (`2026-12-01`, `2026-12-01T08:00:00Z`), or a
 * duration back from now (`90s`, `30m`, `24h`, `7d`). Epoch ms.
 */
export function parseSince(value: string, now = nowMs()): number {
  const relative = /^(\d{1,9})([smhd])$/.exec(value.trim());
  if (relative) return now - Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS];
  const at = /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim())
    ? Date.parse(value.trim())
    : NaN;
  if (Number.isNaN(at)) {
    throw new CliUsageError(
      `--since must be an ISO 8601 date or date-time, or a duration such as 24h or 7d; got "${value}"`,
    );
  }
  return at;
}

/**
 * `audit export [--since <when>]`: audit events as JSON lines, oldest first, one event per line
 * in the shape of `GET /api-users/{id}/audit-events`. Read in batches and written with
 * back-pressure, so a large export holds neither the table nor the output in memory.
 */
@SubCommand({
  name: 'export',
  description: 'print audit events as JSON lines, oldest first',
})
export class AuditExportCommand extends OutputCommand<ExportOptions> {
  constructor(private readonly audit: AuditService) {
    super();
  }

  @Option({
    flags: '--since <when>',
    description: 'only events from then on: ISO 8601 date or date-time, or 90s, 30m, 24h, 7d',
  })
  parseSince(value: string): string {
    return value;
  }

  async run(_args: string[], options: ExportOptions): Promise<void> {
    const since = options.since === undefined ? 0 : parseSince(options.since);
    for await (const event of this.audit.eventsSince(since)) {
      if (!process.stdout.write(`${JSON.stringify(toAuditEventDto(event))}\n`)) {
        await once(process.stdout, 'drain');
      }
    }
  }
}

@Command({ name: 'audit', description: 'audit events: export', subCommands: [AuditExportCommand] })
export class AuditCommand extends GroupCommand {
  protected readonly commands = ['export'];
}

export const AuditCommands = [AuditCommand, AuditExportCommand];

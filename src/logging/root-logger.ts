import pino, { type DestinationStream, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import type { LoggingConfig } from '../config/env';
import { REDACTED_PATHS, REDACTION_CENSOR } from './redaction';

/**
 * The process's pino logger: one JSON object per line on stdout (`time` as ISO 8601, `level`
 * as its name, `msg`), or pino-pretty's lines for LOG_FORMAT=pretty. Null for LOG_LEVEL=silent:
 * then nothing about logging is installed at all. `destination` replaces stdout (tests).
 */
export function createRootLogger(
  config: LoggingConfig,
  destination?: DestinationStream,
): Logger | null {
  if (config.level === 'silent') return null;
  const options: pino.LoggerOptions = {
    level: config.level,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: REDACTION_CENSOR },
  };
  if (config.format === 'pretty') {
    // In-process and synchronous, like the JSON lines: no worker thread to lose lines in.
    return pino(
      options,
      pinoPretty({
        destination: destination ?? 1,
        colorize: !destination && process.stdout.isTTY,
        sync: true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname',
      }),
    );
  }
  // pino's own stdout writer (sonic-boom, synchronous): a line is written before the next
  // statement runs, so nothing logged before a crash is lost.
  return pino(options, destination ?? pino.destination({ dest: 1, sync: true }));
}

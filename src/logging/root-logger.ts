import pino, { type DestinationStream, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import type { LoggingConfig } from '../config/env';
import { REDACTED_PATHS, REDACTION_CENSOR } from './redaction';

/**
 * The process's pino logger: one JSON object per line on stdout (`time` in epoch ms, `level`
 * as its name, `msg`), or pino-pretty's lines for LOG_FORMAT=pretty. Null for LOG_LEVEL=silent:
 * then nothing about logging is installed at all. `destination` replaces stdout (tests).
 */
export function createRootLogger(
  config: LoggingConfig,
  destination?: DestinationStream,
): Logger | null {
  const loggers = createLoggers(config, destination);
  return loggers && loggers.root;
}

export interface Loggers {
  /** Every line but the access lines, with the redaction paths applied. */
  root: Logger;
  /**
   * The access lines, on the same stream: built field by field from values that hold no
   * secret, so they skip the redaction pass (a tenth of a refresh's CPU with it, profiled).
   */
  access: Logger;
}

export function createLoggers(
  config: LoggingConfig,
  destination?: DestinationStream,
): Loggers | null {
  if (config.level === 'silent') return null;
  const options: pino.LoggerOptions = {
    level: config.level,
    // `time` in epoch milliseconds, pino's default: formatting an ISO date costs every line.
    formatters: { level: (label) => ({ level: label }) },
  };
  const stream = streamFor(config, destination);
  return {
    root: pino({ ...options, redact: { paths: REDACTED_PATHS, censor: REDACTION_CENSOR } }, stream),
    access: pino(options, stream),
  };
}

function streamFor(config: LoggingConfig, destination?: DestinationStream): DestinationStream {
  if (config.format === 'pretty') {
    // In-process and synchronous, like the JSON lines: no worker thread to lose lines in.
    return pinoPretty({
      destination: destination ?? 1,
      colorize: !destination && process.stdout.isTTY,
      sync: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
    });
  }
  // pino's own stdout writer (sonic-boom, synchronous): a line is written before the next
  // statement runs, so nothing logged before a crash is lost.
  return destination ?? pino.destination({ dest: 1, sync: true });
}

import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';

/**
 * Nest's LoggerService over pino, so `new Logger('Sessions').warn(…)` anywhere in Nest or the
 * library writes a JSON line. An object message becomes the line's fields (the library's
 * filters pass `{ msg, req_id, … }` for what they log while answering a request). Nest calls
 * `error(message, stack?, context?)` and the others `(message, context?)`: the last string is
 * the context (the class that logged).
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly root: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    // Nest passes the stack of an error it caught as the string before the context.
    const [stack] = rest.length >= 2 ? rest : [];
    this.write('error', message, rest, typeof stack === 'string' ? { stack } : undefined);
  }

  private write(
    level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal',
    message: unknown,
    rest: unknown[],
    extra?: Record<string, unknown>,
  ): void {
    const logger = this.root;
    if (!logger.isLevelEnabled(level)) return;
    const last = rest[rest.length - 1];
    const fields: Record<string, unknown> = { ...extra };
    if (typeof last === 'string') fields.context = last;
    if (message instanceof Error) logger[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null)
      logger[level]({ ...fields, ...(message as Record<string, unknown>) });
    else logger[level](fields, String(message));
  }
}

import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';
import { requestLogContext } from './request-log-context';

/**
 * Nest's LoggerService over pino, so `new Logger('Sessions').warn(…)` anywhere in Nest or the
 * library writes a JSON line, with the request's `req_id` when one is being served. Nest calls
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
    // The request's child logger has the root's level.
    if (!this.root.isLevelEnabled(level)) return;
    const logger = requestLogContext.getStore() ?? this.root;
    const last = rest[rest.length - 1];
    const fields: Record<string, unknown> = { ...extra };
    if (typeof last === 'string') fields.context = last;
    if (message instanceof Error) logger[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null)
      logger[level]({ ...fields, ...(message as Record<string, unknown>) });
    else logger[level](fields, String(message));
  }
}

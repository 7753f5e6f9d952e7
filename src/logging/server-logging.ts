import type { LoggerService } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import type { LoggingConfig } from '../config/env';
import type { ResponseObserver } from '../http/response-observers';
import { NestPinoLogger } from './nest-pino-logger';
import { requestIdOf } from './request-id';
import { accessLogObserver } from './request-logging';
import { createLoggers } from './root-logger';

/**
 * The server's logging: Nest's logger over pino (everything Nest and the library log), the
 * request id, and the access line. Fastify is given no logger: with one it validates and
 * makes a child logger per request, which every request pays for, to log lines of its own
 * that the server does not need (its request lines are replaced by the access line, its client
 * and framework errors are answered by the server's own handlers).
 */
export interface ServerLogging {
  /** For NestFactory.create's `logger`. */
  nest: LoggerService;
  /** Fastify's `genReqId`: X-Request-Id kept or generated. */
  genReqId: typeof requestIdOf;
  /** The access line, for the server's onResponse hook. */
  accessLine: ResponseObserver;
}

/** Null when LOG_LEVEL=silent: no logger, no request id header, nothing per request. */
export function createServerLogging(
  config: LoggingConfig,
  destination?: DestinationStream,
): ServerLogging | null {
  const loggers = createLoggers(config, destination);
  if (!loggers) return null;
  return {
    nest: new NestPinoLogger(loggers.root),
    genReqId: requestIdOf,
    accessLine: accessLogObserver(loggers.access),
  };
}

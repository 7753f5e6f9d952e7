import type { LoggerService } from '@nestjs/common';
import { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import type { LoggingConfig } from '../config/env';
import { NestPinoLogger } from './nest-pino-logger';
import { requestIdOf } from './request-id';
import { installRequestLogging } from './request-logging';
import { createLoggers } from './root-logger';

/** The server's logging, wired into Fastify (request lines) and Nest (everything else). */
export interface ServerLogging {
  root: Logger;
  /** For NestFactory.create's `logger`. */
  nest: LoggerService;
  /** For the FastifyAdapter's options. */
  fastifyOptions: {
    loggerInstance: Logger;
    childLoggerFactory: (logger: FastifyBaseLogger) => FastifyBaseLogger;
    logController: LogController;
    genReqId: typeof requestIdOf;
  };
  install(fastify: FastifyInstance): void;
}

/** Null when LOG_LEVEL=silent: no logger, no hooks, nothing per request. */
export function createServerLogging(
  config: LoggingConfig,
  destination?: DestinationStream,
): ServerLogging | null {
  const loggers = createLoggers(config, destination);
  if (!loggers) return null;
  const { root, access } = loggers;
  return {
    root,
    nest: new NestPinoLogger(root),
    fastifyOptions: {
      // Fastify's own lines (rare: errors outside any route) go through the root logger as
      // they are; no child logger is made per request, which would cost every request.
      loggerInstance: root,
      childLoggerFactory: (logger) => logger,
      // Fastify's own request lines are off: installRequestLogging writes the access line.
      logController: new LogController({
        requestIdLogLabel: 'req_id',
        disableRequestLogging: true,
      }),
      genReqId: requestIdOf,
    },
    install: (fastify) => installRequestLogging(fastify, access),
  };
}

import { type LoggerService, type LogLevel } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import type { AppConfig } from './config/env';
import { clientErrorHandler } from './http/client-errors';
import { ErrorShapeByRouteFilter } from './http/error-shape-by-route';
import { closeConnectionsWhileDraining } from './http/connection-close';
import { frameworkErrorRenderer } from './http/framework-errors';
import { installRequestHeadChecks, MAX_HEADER_BYTES } from './http/request-head';
import { installSecurityHeaders, securityHeadersFor } from './http/security-headers';
import { installResponseObservers } from './http/response-observers';
import { installServerEventAnswers } from './http/server-events';
import { fastifyTrustProxy } from './http/trust-proxy';
import { GracefulShutdown } from './lifecycle/graceful-shutdown';
import { createServerLogging } from './logging/server-logging';
import { ServerMetrics } from './metrics/server-metrics';
import { buildOpenApiDocument, mountSwagger } from './swagger';

/** Request bodies above 64 KiB are refused with 413 before they are parsed. */
export const BODY_LIMIT_BYTES = 64 * 1024;

export interface CreateAppOptions {
  /**
   * Replaces the server's logging (LOG_FORMAT / LOG_LEVEL) with Nest's own setting: levels, a
   * LoggerService (tests capture what Nest logs with one), or false (nothing).
   */
  logger?: false | LogLevel[] | LoggerService;
  /** Where the server's log lines go instead of stdout (tests read them). */
  logDestination?: DestinationStream;
}

/** Builds the standalone server (Fastify) exactly as `main.ts` runs it; tests use it too. */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const securityHeaders = securityHeadersFor(config.issuer);
  const logging =
    options.logger === undefined
      ? createServerLogging(config.logging, options.logDestination)
      : null;
  // Every answer is in the contract's error shape, those of the HTTP layer included: the
  // parser's refusals (clientErrorHandler), the router's (frameworkErrors), CONNECT and
  // unknown expectations (server events), long URLs and a missing Host (request head).
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // No Nest middleware is used: skipping @fastify/middie spares every request its hook.
    skipMiddie: true,
    frameworkErrors: frameworkErrorRenderer(securityHeaders),
    clientErrorHandler: clientErrorHandler(securityHeaders),
    // Node would answer a missing Host itself, with an empty body: see request-head.ts.
    http: { maxHeaderSize: MAX_HEADER_BYTES, requireHostHeader: false },
    // X-Forwarded-For is read only through the proxies TRUST_PROXY names; request.ip is then
    // the address every limit, lockout, session and audit event uses.
    trustProxy: fastifyTrustProxy(config.trustProxy),
    // A request that arrives on an open connection while the server closes is still served
    // (the database is open until the drain ends), with `Connection: close`: Fastify's default
    // would answer it 503 in its own body, failing a request a load balancer had already sent.
    return503OnClosing: false,
    // The request id: the caller's X-Request-Id, or a new one (logged, and answered).
    ...(logging && { genReqId: logging.genReqId }),
  });
  const fastify = adapter.getInstance();
  installServerEventAnswers(fastify.server, securityHeaders);
  installSecurityHeaders(fastify, securityHeaders, logging !== null);
  installRequestHeadChecks(fastify);
  // METRICS_ENABLED=false: no counters, no hook, no route, no port.
  const metrics = config.metrics.enabled ? new ServerMetrics() : null;
  // The request-duration histogram and the access line share one onResponse hook.
  installResponseObservers(fastify, [
    ...(metrics ? [metrics.http.observeResponse] : []),
    ...(logging ? [logging.accessLine] : []),
  ]);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(config, metrics),
    adapter,
    {
      logger: options.logger ?? logging?.nest ?? false,
      abortOnError: false,
    },
  );
  // The library's controllers validate and render their own errors; this filter gives the
  // same shapes to what happens outside them (unknown routes, unparsable bodies).
  app.useGlobalFilters(new ErrorShapeByRouteFilter(app.get(HttpAdapterHost), config.profiles));
  closeConnectionsWhileDraining(adapter.getInstance(), app.get(GracefulShutdown));
  // SIGTERM or SIGINT: close the app (see GracefulShutdown), then exit 0; without
  // useProcessExit Nest re-raises the signal once closed, and the exit status reads as killed.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  // DOCS_ENABLED=false: /docs and /docs-json are not mounted at all (404 like any unknown path).
  if (config.docsEnabled) mountSwagger(app, buildOpenApiDocument(app));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

import { FastifyOtelInstrumentation } from '@fastify/otel';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BetterSqlite3Instrumentation } from 'opentelemetry-plugin-better-sqlite3';

/** The service name spans carry unless OTEL_SERVICE_NAME says otherwise. */
export const DEFAULT_SERVICE_NAME = 'keyring-auth-server';

/**
 * OpenTelemetry's Node SDK with the instrumentations for what the server runs on: a span for
 * each HTTP request (node:http, with the W3C `traceparent` of the caller), Fastify's route and
 * hooks under it, and one for each database statement (pg on PostgreSQL, better-sqlite3 on
 * SQLite). Spans go over OTLP/HTTP (JSON) to OTEL_EXPORTER_OTLP_ENDPOINT (`/v1/traces`);
 * the SDK reads the other standard OTEL_* variables (OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER,
 * OTEL_BSP_SCHEDULE_DELAY…) itself.
 *
 * Must start before http, fastify, pg and better-sqlite3 are first required: see register.ts.
 */
export function startTracing(env: NodeJS.ProcessEnv): NodeSDK {
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME?.trim() || DEFAULT_SERVICE_NAME,
    traceExporter: new OTLPTraceExporter(),
    // Traces only: the metrics are Prometheus's (/metrics), the logs pino's.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation(),
      new FastifyOtelInstrumentation({ registerOnInitialization: true }),
      new PgInstrumentation(),
      new BetterSqlite3Instrumentation(),
    ],
  });
  sdk.start();
  return sdk;
}

import type { NodeSDK } from '@opentelemetry/sdk-node';

/**
 * main.ts imports this module first. With OTEL_EXPORTER_OTLP_ENDPOINT set it starts tracing
 * before anything it instruments is loaded; unset, not one OpenTelemetry module is loaded and
 * no request pays for tracing.
 */
let sdk: NodeSDK | undefined;

if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()) {
  // A synchronous require, on purpose: an import() would resolve after main.ts's own imports
  // had loaded http and fastify unpatched.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startTracing } = require('./tracing') as typeof import('./tracing');
  sdk = startTracing(process.env);
}

/** Sends the spans still buffered, then stops tracing (at shutdown); nothing when off. */
export async function stopTracing(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  await running?.shutdown();
}

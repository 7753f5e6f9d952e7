import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { OtlpReceiver } from '../support/otlp-receiver';
import {
  buildServer,
  killServerProcesses,
  SERVER_MAIN,
  startServerProcess,
} from '../support/server-process';
import { ADMIN_KEY_ID, ADMIN_KEY_SECRET } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Traces, as an operator turns them on: the built server as a process, with
 * OTEL_EXPORTER_OTLP_ENDPOINT naming a small OTLP/HTTP receiver.
 */
describe('Traces (OpenTelemetry over OTLP/HTTP)', () => {
  let db: TestDatabase;
  const receiver = new OtlpReceiver();

  beforeAll(async () => {
    await buildServer();
    db = await createTestDatabase();
  });
  afterAll(async () => {
    killServerProcesses();
    await receiver.close();
    await db.drop();
  });

  it('a request, its route and its database statements arrive as spans of the caller’s trace', async () => {
    const endpoint = await receiver.start();
    const server = await startServerProcess({
      ...db.env,
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_SERVICE_NAME: 'auth-under-test',
      // Export every 100 ms rather than every 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const answer = await fetch(`http://127.0.0.1:${server.port}/auth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      },
      body: JSON.stringify({ api_key_id: ADMIN_KEY_ID, api_key_secret: ADMIN_KEY_SECRET }),
    });
    expect(answer.status).toBe(200);

    const isStatement = (scope: string) =>
      scope === '@opentelemetry/instrumentation-pg' || scope.includes('better-sqlite3');
    await receiver.waitFor(
      (spans) =>
        spans.some((span) => span.traceId === traceId && span.scope.includes('http')) &&
        spans.some((span) => span.traceId === traceId && span.scope.includes('fastify')) &&
        spans.some((span) => isStatement(span.scope)),
    );
    const request = receiver.spans.find(
      (span) => span.traceId === traceId && span.scope === '@opentelemetry/instrumentation-http',
    );
    // The server span continues the caller's trace, names the route and its answer.
    expect(request).toMatchObject({ parentSpanId: '00f067aa0ba902b7', kind: 2 });
    expect(request?.attributes).toMatchObject({ 'http.route': '/auth/token' });
    expect(JSON.stringify(request?.attributes)).toMatch(/200/);
    expect(receiver.serviceNames).toContain('auth-under-test');
    // No span carries the secret that was sent.
    expect(JSON.stringify(receiver.spans)).not.toContain(ADMIN_KEY_SECRET);

    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });

  it('loads no OpenTelemetry module at all without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    // What main.js loads first, in a process of its own: the OpenTelemetry modules it loaded.
    const register = join(SERVER_MAIN, '..', 'tracing', 'register.js');
    const loaded = (env: Record<string, string>) =>
      Number(
        execFileSync(
          process.execPath,
          [
            '-e',
            `require(${JSON.stringify(register)}); console.log(Object.keys(require.cache).filter((path) => path.includes('@opentelemetry')).length)`,
          ],
          { env: { PATH: process.env.PATH, ...env } },
        ).toString(),
      );
    expect(loaded({})).toBe(0);
    expect(loaded({ OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBe(0);
    expect(loaded({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' })).toBeGreaterThan(10);
  });
});

import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { ADMIN_KEY_ID, ADMIN_KEY_SECRET } from '../support/test-app';
import {
  buildServer,
  killServerProcesses,
  startServerProcess,
  type ServerProcess,
} from '../support/server-process';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const CREDENTIALS = JSON.stringify({ api_key_id: ADMIN_KEY_ID, api_key_secret: ADMIN_KEY_SECRET });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A token request held in flight on purpose: its headers and the first half of its body are
 * sent now, the rest when `finish()` is called. The server has the request and must wait.
 */
interface Answer {
  status: number;
  connection?: string;
  body: string;
}

function slowTokenRequest(port: number): { response: Promise<Answer>; finish: () => void } {
  const req = httpRequest({
    port,
    host: '127.0.0.1',
    method: 'POST',
    path: '/auth/token',
    agent: false,
    headers: {
      'content-type': 'application/json',
      // As a proxy's pooled connection would: the server, not the client, must end it.
      connection: 'keep-alive',
      'content-length': Buffer.byteLength(CREDENTIALS),
    },
  });
  const response = new Promise<Answer>((resolve, reject) => {
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }),
      );
    });
  });
  req.write(CREDENTIALS.slice(0, 10));
  return { response, finish: () => req.end(CREDENTIALS.slice(10)) };
}

/** A keep-alive connection left idle after one request; `closed` resolves when the server ends it. */
async function idleKeepAliveConnection(port: number): Promise<{ closed: Promise<void> }> {
  const socket: Socket = connect(port, '127.0.0.1');
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const answered = new Promise<string>((resolve) => socket.once('data', (d) => resolve(String(d))));
  socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
  expect(await answered).toMatch(/^HTTP\/1.1 200/);
  socket.on('error', () => undefined);
  return { closed };
}

/** Whether a new TCP connection is refused now. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('Graceful shutdown of the server process (SIGTERM)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    await buildServer();
    db = await createTestDatabase('postgres');
  }, 120_000);
  afterAll(async () => {
    killServerProcesses();
    await db?.drop();
  });

  it('closes idle connections and the listener, finishes the request in flight with 200, and exits 0', async () => {
    const server: ServerProcess = await startServerProcess(db.env);
    const idle = await idleKeepAliveConnection(server.port);
    const slow = slowTokenRequest(server.port);
    await sleep(200);

    const signalled = Date.now();
    server.child.kill('SIGTERM');
    // The idle keep-alive connection is closed at once, so no proxy sends into it.
    await idle.closed;
    expect(Date.now() - signalled).toBeLessThan(1000);
    // New connections are refused while the request in flight is still open.
    let isRefused = false;
    while (!isRefused && Date.now() - signalled < 2000) {
      isRefused = await refused(server.port);
      await sleep(20);
    }
    expect(isRefused).toBe(true);
    expect(server.child.exitCode).toBeNull();

    await sleep(300);
    slow.finish();
    const answer = await slow.response;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toHaveProperty('refresh_token');
    // Its connection ends with it instead of idling until the keep-alive timeout.
    expect(answer.connection).toBe('close');
    const finished = Date.now();
    const exit = await server.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    // Well within SHUTDOWN_TIMEOUT_MS (10 s): nothing was left to wait for.
    expect(Date.now() - finished).toBeLessThan(3000);
  }, 60_000);

  it('cuts a request still in flight after SHUTDOWN_TIMEOUT_MS, then exits 0', async () => {
    const server = await startServerProcess({ ...db.env, SHUTDOWN_TIMEOUT_MS: '1000' });
    const slow = slowTokenRequest(server.port);
    const cut = slow.response.then(
      () => 'answered',
      () => 'cut',
    );
    await sleep(200);
    const signalled = Date.now();
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    const took = Date.now() - signalled;
    expect(took).toBeGreaterThanOrEqual(1000);
    expect(took).toBeLessThan(4000);
    expect(await cut).toBe('cut');
    expect(server.output()).toContain('requests still in flight after 1000 ms');
  }, 60_000);

  it('answers readiness 503 from the moment shutdown begins (liveness stays 200)', async () => {
    const server = await startServerProcess({ ...db.env, SHUTDOWN_DELAY_MS: '1500' });
    const base = `http://127.0.0.1:${server.port}`;
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    server.child.kill('SIGTERM');
    await sleep(300);
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('cache-control')).toBe('no-store');
    expect((await fetch(`${base}/health`)).status).toBe(503);
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    expect(await server.exited).toEqual({ code: 0, signal: null });
  }, 60_000);
});

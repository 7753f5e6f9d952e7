import { createServer, request as httpRequest, type Server } from 'node:http';
import { ADMIN_KEY_ID, ADMIN_KEY_SECRET } from '../support/test-app';
import {
  buildServer,
  killServerProcesses,
  startServerProcess,
  type ServerProcess,
} from '../support/server-process';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Backend {
  port: number;
  inRotation: boolean;
}

/**
 * A small round-robin reverse proxy, as a load balancer in front of two instances. It polls
 * each instance's /health/ready every 25 ms and keeps in rotation only those that answer 200.
 * Every forwarded request opens its own connection to the instance (no keep-alive), so the
 * one failure it retries is a refused connection: the request was never sent, so no instance
 * saw it and sending it to the other one cannot apply it twice (a token exchange or a refresh
 * is not idempotent; a request that failed after it was sent is answered 502, not retried).
 */
function startProxy(backends: Backend[]): Promise<{ server: Server; port: number; stop(): void }> {
  const poll = setInterval(() => {
    for (const backend of backends) {
      const check = httpRequest(
        {
          port: backend.port,
          host: '127.0.0.1',
          path: '/health/ready',
          agent: false,
          timeout: 500,
        },
        (res) => {
          backend.inRotation = res.statusCode === 200;
          res.resume();
        },
      );
      check.on('timeout', () => check.destroy());
      check.on('error', () => (backend.inRotation = false));
      check.end();
    }
  }, 25);
  let next = 0;
  const pick = (): Backend | undefined => {
    for (let i = 0; i < backends.length; i += 1) {
      const backend = backends[next++ % backends.length];
      if (backend.inRotation) return backend;
    }
    return undefined;
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const forward = (attempt: number): void => {
        const backend = pick();
        if (!backend) {
          res.writeHead(502).end('no instance in rotation');
          return;
        }
        const upstream = httpRequest(
          {
            port: backend.port,
            host: '127.0.0.1',
            method: req.method,
            path: req.url,
            headers: { ...req.headers, connection: 'close' },
            agent: false,
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        upstream.on('error', (error: NodeJS.ErrnoException) => {
          if (error.code === 'ECONNREFUSED' && attempt < 5) {
            backend.inRotation = false;
            forward(attempt + 1);
          } else if (!res.headersSent) {
            res.writeHead(502).end(`upstream failed: ${error.code ?? error.message}`);
          } else res.destroy();
        });
        upstream.end(body);
      };
      forward(0);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        port: (server.address() as { port: number }).port,
        stop: () => {
          clearInterval(poll);
          server.close();
        },
      }),
    ),
  );
}

describe('Two instances behind a load balancer, restarted one at a time with SIGTERM', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    await buildServer();
    db = await createTestDatabase('postgres');
  }, 120_000);
  afterAll(async () => {
    killServerProcesses();
    await db?.drop();
  });

  it('fails no request of a continuous token and refresh load', async () => {
    const env = {
      ...db.env,
      // The proxy polls every 25 ms: the listener closes well after it has stopped sending.
      SHUTDOWN_DELAY_MS: process.env.TEST_SHUTDOWN_DELAY_MS ?? '250',
      RATE_LIMIT_PER_MINUTE: '0',
      MAX_SESSIONS_PER_API_KEY: '0',
    };
    // One after the other: the first runs the migrations.
    let a: ServerProcess = await startServerProcess(env);
    let b: ServerProcess = await startServerProcess(env);
    const backends: Backend[] = [
      { port: a.port, inRotation: true },
      { port: b.port, inRotation: true },
    ];
    const proxy = await startProxy(backends);
    const base = `http://127.0.0.1:${proxy.port}`;

    const statuses = new Map<string, number>();
    const count = (what: string) => statuses.set(what, (statuses.get(what) ?? 0) + 1);
    let running = true;
    const post = async (path: string, body: object): Promise<Record<string, string>> => {
      const response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).catch((error: Error) => {
        count(`${path} ${error.message}`);
        throw error;
      });
      count(`${path} ${response.status}`);
      const text = await response.text();
      if (response.status !== 200) throw new Error(`${path} ${response.status} ${text}`);
      return JSON.parse(text) as Record<string, string>;
    };
    // Each client exchanges its API key, then refreshes its chain five times, over and over.
    const client = async () => {
      while (running) {
        let tokens = await post('/auth/token', {
          api_key_id: ADMIN_KEY_ID,
          api_key_secret: ADMIN_KEY_SECRET,
        }).catch(() => undefined);
        for (let i = 0; tokens && i < 5 && running; i += 1) {
          tokens = await post('/auth/token/refresh', {
            refresh_token: tokens.refresh_token,
          }).catch(() => undefined);
        }
      }
    };
    const load = Promise.all(Array.from({ length: 6 }, client));

    await sleep(1000);
    a.child.kill('SIGTERM');
    const aExit = await a.exited;
    a = await startServerProcess(env, a.port);
    // Back in rotation and serving before the other one goes.
    await sleep(1000);
    b.child.kill('SIGTERM');
    const bExit = await b.exited;
    b = await startServerProcess(env, b.port);
    await sleep(1000);
    running = false;
    await load;
    proxy.stop();
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    const [aLast, bLast] = await Promise.all([a.exited, b.exited]);

    const failed = [...statuses].filter(([what]) => !/ 200$/.test(what));
    const served = [...statuses].reduce((sum, [, n]) => sum + n, 0);
    expect(failed).toEqual([]);
    expect(served).toBeGreaterThan(200);
    expect([aExit, bExit, aLast, bLast]).toEqual(Array(4).fill({ code: 0, signal: null }));
  }, 120_000);
});

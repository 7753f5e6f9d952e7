// Refresh-rotation latency at N concurrent clients against the built server (dist/) on a
// fresh embedded database, rate limiting off. Each client rotates its own session's chain:
// every request carries the fresh, unused token the previous response returned.
//   npm run build && npm run bench:refresh [-- --clients 50 --seconds 10]
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const net = require('node:net');

const arg = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
};
const clients = arg('clients', 50);
const seconds = arg('seconds', 10);

const freePort = () =>
  new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

async function post(base, path, body) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'auth-bench-'));
  const port = await freePort();
  const adminId = 'bench-admin-key-000001';
  const adminSecret = randomBytes(32).toString('base64url');
  const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS
    ? process.env.BENCH_SERVER_NODE_ARGS.split(' ')
    : [];
  const server = spawn(process.execPath, [...nodeArgs, 'dist/src/main.js'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: '',
      DATABASE_PATH: join(dir, 'auth.sqlite'),
      RATE_LIMIT_PER_MINUTE: '0',
      BOOTSTRAP_ADMIN_KEY_ID: adminId,
      BOOTSTRAP_ADMIN_KEY_SECRET: adminSecret,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i += 1) {
      if (i > 500) throw new Error('server did not become healthy');
      const ok = await fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const chains = [];
    for (let i = 0; i < clients; i += 1) {
      const { body } = await post(base, '/auth/token', {
        api_key_id: adminId,
        api_key_secret: adminSecret,
      });
      chains.push(body.refresh_token);
    }
    const latencies = [];
    let failures = 0;
    const deadline = performance.now() + seconds * 1000;
    await Promise.all(
      chains.map(async (token, client) => {
        let current = token;
        while (performance.now() < deadline) {
          const started = performance.now();
          const { status, body } = await post(base, '/auth/token/refresh', {
            refresh_token: current,
          });
          latencies.push(performance.now() - started);
          if (status !== 200) {
            failures += 1;
            const fresh = await post(base, '/auth/token', {
              api_key_id: adminId,
              api_key_secret: adminSecret,
            });
            current = fresh.body.refresh_token;
            continue;
          }
          current = body.refresh_token;
        }
        return client;
      }),
    );
    latencies.sort((a, b) => a - b);
    const result = {
      clients,
      seconds,
      requests: latencies.length,
      failures,
      rps: Math.round(latencies.length / seconds),
      p50_ms: Number(percentile(latencies, 50).toFixed(2)),
      p99_ms: Number(percentile(latencies, 99).toFixed(2)),
    };
    console.log(
      `refresh on the embedded database, ${clients} concurrent clients, ${seconds} s: ${result.requests} rotations (${result.rps}/s), ` +
        `p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms, ${failures} failures`,
    );
    console.log(JSON.stringify(result));
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
})().catch((error) => {
  console.error(`bench failed: ${error.message}`);
  process.exit(1);
});

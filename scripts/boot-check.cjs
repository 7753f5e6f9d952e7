// Starts the built server (dist/) on a fresh embedded database and reports how long it takes
// until /health answers 200. Exits non-zero if it never becomes healthy. Usage:
//   npm run build && npm run boot:check [-- --runs 5]
const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const net = require('node:net');

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3;
const GIVE_UP_MS = 15_000;

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function bootOnce() {
  const dir = mkdtempSync(join(tmpdir(), 'auth-boot-'));
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_PATH: join(dir, 'data', 'auth.sqlite'),
      DATABASE_URL: '',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    while (performance.now() - started < GIVE_UP_MS) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/health`);
        if (response.status === 200) return performance.now() - started;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`not healthy within ${GIVE_UP_MS} ms`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

(async () => {
  const times = [];
  for (let i = 0; i < runs; i += 1) times.push(await bootOnce());
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(
    `boot to healthy on a fresh embedded database: median ${median.toFixed(0)} ms over ${runs} runs (${times.map((t) => t.toFixed(0)).join(', ')} ms)`,
  );
})().catch((error) => {
  console.error(`boot check failed: ${error.message}`);
  process.exit(1);
});

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ADMIN_KEY_ID, ADMIN_KEY_SECRET, TEST_ISSUER } from './test-app';

const ROOT = join(__dirname, '..', '..');
export const SERVER_MAIN = join(ROOT, 'dist', 'src', 'main.js');

/**
 * Builds dist/ (`npm run build`), as these tests run the server as `npm start` does: once per
 * jest run (TEST_RUN_ID, set by the global setup), under a lock, because the build empties
 * dist/ first and would pull main.js from under a server another test file is starting.
 */
export async function buildServer(): Promise<void> {
  const lock = join(tmpdir(), 'auth-server-build.lock');
  const stamp = join(ROOT, 'dist', `.built-for-${process.env.TEST_RUN_ID ?? process.pid}`);
  for (let waited = 0; ; waited += 200) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test file is building; a lock older than the longest build is stale.
      if (waited > 180_000) rmSync(lock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    if (existsSync(stamp)) return;
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'ignore' });
    if (!existsSync(SERVER_MAIN)) throw new Error(`${SERVER_MAIN} missing after the build`);
    writeFileSync(stamp, '');
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** A TCP port free on 127.0.0.1 now (the server is started on it, and restarted on it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  port: number;
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** What the server wrote to stdout and stderr. */
  output(): string;
}

/** Server processes started and not yet exited: a failed test must not leave them running. */
const started = new Set<ChildProcess>();

/** Kills (SIGKILL) every server process a test started that is still running. */
export function killServerProcesses(): void {
  for (const child of started) child.kill('SIGKILL');
}

/** Starts `node dist/src/main.js` and resolves once its /health/ready answers 200. */
export async function startServerProcess(
  env: Record<string, string>,
  port?: number,
): Promise<ServerProcess> {
  const listenPort = port ?? (await freePort());
  const child = spawn(process.execPath, [SERVER_MAIN], {
    env: {
      PATH: process.env.PATH,
      PORT: String(listenPort),
      HOST: '127.0.0.1',
      ISSUER_URL: TEST_ISSUER,
      BOOTSTRAP_ADMIN_KEY_ID: ADMIN_KEY_ID,
      BOOTSTRAP_ADMIN_KEY_SECRET: ADMIN_KEY_SECRET,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  child.once('exit', () => started.delete(child));
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited at start:\n${output}`);
    const ready = await fetch(`http://127.0.0.1:${listenPort}/health/ready`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server not ready within 30 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port: listenPort, child, exited, output: () => output };
}

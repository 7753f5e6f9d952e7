// Process helpers shared by the benchmarks: servers pinned to core 0, the load generator
// (the calling process) to core 1, where taskset exists and there are two cores.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { connect, createServer } from 'node:net';

export const log = (message) => process.stderr.write(`${message}\n`);

/** The value after `--name` on the command line, or `fallback` when it is not given. */
export function arg(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : process.argv[index + 1];
}

const CLOCK_TICKS =
  Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** The fields of /proc/PID/stat after the command name (state is [0], ppid [1]). */
export const statOf = (pid) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');

/**
 * CPU time (user + system) per process so far, in microseconds. A process's own time includes
 * that of its children once they exit (cutime, cstime): PostgreSQL backends come and go as
 * the pool opens and closes connections, and the postmaster reaps them.
 */
export function cpuByPid(pids) {
  const micros = new Map();
  for (const pid of pids) {
    try {
      const fields = statOf(pid);
      const ticks = [11, 12, 13, 14].reduce((sum, field) => sum + Number(fields[field]), 0);
      micros.set(pid, (ticks * 1e6) / CLOCK_TICKS);
    } catch {
      // a process that exited between listing and reading
    }
  }
  return micros;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Pins the calling process to core 1; true when servers can be pinned to core 0. */
export function pinLoadToCore1() {
  if (!existsSync('/usr/bin/taskset') || cpus().length < 2) return false;
  // -a: every thread, helper threads included (they exist already and would keep both cores).
  execFileSync('taskset', ['-a', '-cp', '1', String(process.pid)], { stdio: 'ignore' });
  return true;
}

/**
 * Starts `node ...args`, pinned to core 0 when `pinned`. taskset execs node in place, so the
 * returned child's pid is the server's own (for /proc readings).
 */
export function startPinned(pinned, args, options) {
  return pinned
    ? spawn('taskset', ['-c', '0', process.execPath, ...args], options)
    : spawn(process.execPath, args, options);
}

/** Waits until `url` answers 2xx, polling every 20 ms, up to a minute. */
export async function waitFor(url) {
  for (let i = 0; i < 3000; i += 1) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await sleep(20);
  }
  throw new Error(`${url} never answered`);
}

export async function stop(child) {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
}

/**
 * Starts the built server (`main`, dist/src/main.js) once on the database that `databaseEnv`
 * names, waits until it is healthy and stops it: its start-up has migrated that database.
 */
export async function migrateWithServer(main, databaseEnv) {
  const port = await freePort();
  const server = startPinned(false, [main], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...databaseEnv },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitFor(`http://127.0.0.1:${port}/health`);
  await stop(server);
}

/**
 * A TCP port free on 127.0.0.1 right now, below Linux's ephemeral range (32768 and up): a
 * random port inside it can be the local end of one of the load generator's own connections,
 * and the server's listen then fails with EADDRINUSE (it happened to a scale run).
 */
export async function freePort() {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const free = await new Promise((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/**
 * Debian's redis-server on a free loopback port, persistence off, pinned to core 0 when
 * `pinned`; waits until it accepts connections. Fails at once if redis-server is missing.
 */
export async function startRedisServer(pinned) {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = pinned
    ? spawn('taskset', ['-c', '0', 'redis-server', ...args], { stdio: 'ignore' })
    : spawn('redis-server', args, { stdio: 'ignore' });
  const spawnFailed = new Promise((_, reject) =>
    child.once('error', () =>
      reject(new Error('redis-server is not installed (apt-get install redis-server)')),
    ),
  );
  for (let i = 0; i < 500; i += 1) {
    const open = await Promise.race([
      new Promise((resolve) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.destroy();
          resolve(true);
        }).once('error', () => resolve(false));
      }),
      spawnFailed,
    ]);
    if (open) return { url: `redis://127.0.0.1:${port}`, pid: child.pid, child };
    await sleep(20);
  }
  throw new Error('redis-server did not start');
}

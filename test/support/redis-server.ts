import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer, Socket } from 'node:net';

/** Debian's `redis-server`, if installed (CI installs it; a fresh machine may not have it). */
export function redisServerBinary(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/**
 * `describe` when a real Redis can be started, else `describe.skip` with a line saying which
 * suite is left out and why. In CI a missing Redis fails instead: nothing is skipped there.
 */
export function describeWithRedis(name: string, body: () => void): void {
  if (redisServerBinary() !== undefined) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true')
    throw new Error(`${name}: redis-server is not installed (CI installs Debian's redis-server)`);
  console.warn(
    `SKIPPED "${name}": redis-server is not installed (apt-get install redis-server to run it)`,
  );
  describe.skip(name, body);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

/** A real Redis on a free loopback port, persistence off, that a test can kill and restart. */
export class RedisServer {
  private process?: ChildProcess;

  private constructor(readonly port: number) {}

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts it (again) on the same port, empty, and waits until it accepts connections. */
  async restart(): Promise<void> {
    const binary = redisServerBinary();
    if (binary === undefined) throw new Error('redis-server is not installed');
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ];
    this.process = spawn(binary, args, { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await accepts(this.port))) {
      if (Date.now() > deadline) throw new Error(`redis-server did not start on ${this.port}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Stops it answering without closing its connections (SIGSTOP), as an overloaded server would. */
  freeze(): void {
    this.process?.kill('SIGSTOP');
  }

  thaw(): void {
    this.process?.kill('SIGCONT');
  }

  /** Kills it at once (SIGKILL), as a crash would, and waits until the port is closed. */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

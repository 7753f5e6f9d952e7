import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';

/**
 * A PostgreSQL of the calling test's own, in a child process (see
 * test/setup/postgres-under-faults.cjs), that the test can break: stop (a fast shutdown) and
 * start again on the same data and port, freeze every one of its processes (SIGSTOP) and thaw
 * them.
 */
export interface PostgresUnderFaults {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  dispose(): Promise<void>;
}

export async function startPostgresUnderFaults(): Promise<PostgresUnderFaults> {
  const child = fork(join(__dirname, '../setup/postgres-under-faults.cjs'), {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message: { ready: boolean; url?: string; error?: string }) =>
      message.ready ? resolve(message.url as string) : reject(new Error(message.error)),
    );
    child.once('exit', (code) => reject(new Error(`PostgreSQL helper exited (${code})`)));
  });
  let next = 0;
  const call = (action: string) => ask(child, (next += 1), action);
  return {
    url,
    stop: () => call('stop'),
    start: () => call('start'),
    freeze: () => call('freeze'),
    thaw: () => call('thaw'),
    dispose: async () => {
      await call('dispose');
      child.disconnect();
    },
  };
}

function ask(child: ChildProcess, id: number, action: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { id?: number; ok?: boolean; error?: string }) => {
      if (message.id !== id) return;
      child.off('message', onMessage);
      if (message.ok) resolve();
      else reject(new Error(`${action}: ${message.error}`));
    };
    child.on('message', onMessage);
    child.send({ id, action });
  });
}

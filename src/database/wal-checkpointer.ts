import { Worker } from 'node:worker_threads';

/*
 * The worker's code. It is evaluated (not loaded from a file) so that it runs the same from
 * the TypeScript sources under test and from dist/; it loads better-sqlite3 by the absolute
 * path the server resolved.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true, timeout: 5000 });
const checkpoint = () => {
  const [{ log, checkpointed }] = db.pragma('wal_checkpoint(PASSIVE)');
  // A PASSIVE checkpoint never waits, so under constant writes the log may keep growing;
  // past the limit a RESTART checkpoint waits for the writer once and lets it start over.
  if (log > workerData.restartAfterFrames) db.pragma('wal_checkpoint(RESTART)');
  parentPort.postMessage({ log, checkpointed });
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
parentPort.postMessage({ ready: true });
`;

/** A worker's uncaught error arrives structured-cloned: a driver's error class may be lost. */
function asError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  const message = (thrown as { message?: unknown } | null)?.message;
  return new Error(typeof message === 'string' ? message : String(thrown));
}

export interface WalCheckpointerOptions {
  /** The SQLite database file (in WAL mode). */
  file: string;
  /** How often to checkpoint. */
  intervalMs?: number;
  /** WAL frames (pages) beyond which a checkpoint waits for the writer to reset the log. */
  restartAfterFrames?: number;
  /** Called when the worker stops without being asked to: checkpoints are back on the caller. */
  onFailure: (error: Error) => void;
  /** Called after each checkpoint with the WAL's frame counts (tests, diagnostics). */
  onCheckpoint?: (frames: { log: number; checkpointed: number }) => void;
}

/**
 * Checkpoints a WAL-mode SQLite database from a worker thread, on its own connection. SQLite
 * otherwise checkpoints inside whichever commit crosses `wal_autocheckpoint`: that commit then
 * copies pages into the database file and waits for fsync, on the event loop of the request
 * that happened to commit. Here the copying and the fsync run beside the event loop, and a
 * PASSIVE checkpoint never blocks the writer. The caller turns automatic checkpoints off on its
 * own connection once `start()` resolves, and back on if `onFailure` is called.
 */
export class WalCheckpointer {
  private worker: Worker | undefined;
  private stopping = false;

  constructor(private readonly options: WalCheckpointerOptions) {}

  /** Resolves once the worker has opened the database. */
  start(): Promise<void> {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        driver: require.resolve('better-sqlite3'),
        file: this.options.file,
        intervalMs: this.options.intervalMs ?? 200,
        restartAfterFrames: this.options.restartAfterFrames ?? 10_000,
      },
    });
    // A background helper must never be what keeps a process alive: a host (or a test) that
    // ends without closing the app still exits.
    worker.unref();
    this.worker = worker;
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on('message', (message: { ready?: true; log?: number; checkpointed?: number }) => {
        if (message.ready) {
          ready = true;
          resolve();
        } else if (message.log !== undefined && message.checkpointed !== undefined) {
          this.options.onCheckpoint?.({ log: message.log, checkpointed: message.checkpointed });
        }
      });
      worker.on('error', (thrown: unknown) => {
        const error = asError(thrown);
        if (!ready) reject(error);
        else this.options.onFailure(error);
      });
      worker.on('exit', (code) => {
        if (ready && !this.stopping)
          this.options.onFailure(new Error(`WAL checkpoint worker exited with code ${code}`));
      });
    });
  }

  /** Stops the worker after its current checkpoint; resolves when it has exited. */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.stopping = true;
    this.worker = undefined;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage('stop');
    await exited;
  }
}

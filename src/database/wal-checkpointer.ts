import { Worker } from 'node:worker_threads';

/*
 * The worker's code. It is evaluated (not loaded from a file) so that it runs the same from
 * the TypeScript sources under test and from dist/; it loads better-sqlite3 by the absolute
 * path the server resolved.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
// An uncaught error reaches the parent structured-cloned, and better-sqlite3's SqliteError
// loses its message on the way ("[object Object]" in the log): send message and code as
// plain strings instead, then end the thread.
process.on('uncaughtException', (error) => {
  parentPort.postMessage({
    failure: { message: String(error && error.message), code: error && error.code },
  });
  process.exit(1);
});
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true, timeout: 5000 });
const passive = () => {
  const [{ log, checkpointed }] = db.pragma('wal_checkpoint(PASSIVE)');
  return { log, checkpointed };
};
const checkpoint = () => {
  const frames = passive();
  // A PASSIVE checkpoint never waits, so under constant writes the log may keep growing. The
  // server pauses its writes for a catch-up checkpoint first (see below); should the log grow
  // past the limit all the same, a RESTART checkpoint waits for the writer and resets it.
  if (frames.log > workerData.restartAfterFrames) db.pragma('wal_checkpoint(RESTART)');
  parentPort.postMessage(frames);
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'catch-up') {
    parentPort.postMessage({ caughtUp: passive() });
    return;
  }
  clearInterval(timer);
  db.close();
  parentPort.close();
});
parentPort.postMessage({ ready: true });
`;

/**
 * A worker's uncaught error arrives structured-cloned: a driver's error class may be lost, and
 * with it `instanceof Error`. Keeps the message and the driver's code (SQLITE_FULL, ...), which
 * is what a log needs; String() of such an object would read "[object Object]".
 */
function asError(thrown: unknown): Error {
  const { message, code } = (thrown ?? {}) as { message?: unknown; code?: unknown };
  const error =
    thrown instanceof Error
      ? thrown
      : new Error(typeof message === 'string' ? message : String(thrown));
  if (typeof code === 'string') (error as Error & { code?: string }).code = code;
  return error;
}

/**
 * A failure for the log: the driver's code and message. Never the statement's parameters:
 * SQLite's messages name neither, and nothing else is added.
 */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return describeFailure(asError(error));
  const code = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' && !error.message.includes(code)
    ? `${code}: ${error.message}`
    : error.message;
}

/** A WAL's size and how much of it is copied into the database file, in frames (pages). */
export interface WalFrames {
  log: number;
  checkpointed: number;
}

export interface WalCheckpointerOptions {
  /** The SQLite database file (in WAL mode). */
  file: string;
  /** How often to checkpoint. */
  intervalMs?: number;
  /**
   * Runs `work` while the server's connection starts no write (on SQLite, UnitOfWork's queue).
   * Given, the log is reset past `resetAfterFrames` without blocking the event loop.
   */
  pauseWrites?: <T>(work: () => Promise<T>) => Promise<T>;
  /** WAL frames beyond which writes are paused for one catch-up checkpoint (needs pauseWrites). */
  resetAfterFrames?: number;
  /**
   * WAL frames beyond which a RESTART checkpoint waits for the writer and resets the log: the
   * bound when writes cannot be paused, or when a reset did not take.
   */
  restartAfterFrames?: number;
  /** Called once when the worker stops without being asked to: checkpoints are back on the caller. */
  onFailure: (error: Error) => void;
  /** Called after each checkpoint with the WAL's frame counts (tests, diagnostics). */
  onCheckpoint?: (frames: WalFrames) => void;
}

const DEFAULT_RESET_AFTER_FRAMES = 10_000;

/** The caller waiting for the worker's answer to a catch-up checkpoint. */
interface PendingCatchUp {
  resolve: (frames: WalFrames) => void;
  reject: (error: Error) => void;
}

/**
 * Checkpoints a WAL-mode SQLite database from a worker thread, on its own connection. SQLite
 * otherwise checkpoints inside whichever commit crosses `wal_autocheckpoint`: that commit then
 * copies pages into the database file and waits for fsync, on the event loop of the request
 * that happened to commit. Here the copying and the fsync run beside the event loop, and a
 * PASSIVE checkpoint never blocks the writer. The caller turns automatic checkpoints off on its
 * own connection once `start()` resolves, and back on if `onFailure` is called.
 *
 * Under constant writes a PASSIVE checkpoint never copies the very last frames, so the log is
 * never started over and grows. SQLite starts it over when a write begins with every frame
 * copied. So past `resetAfterFrames`, writes are paused (`pauseWrites`) for one more PASSIVE
 * checkpoint, which then copies everything: the next write resets the log. The pause holds only
 * writes, for one short checkpoint, while the event loop goes on. A RESTART checkpoint, the
 * alternative, makes the writer's busy handler sleep on the event loop for as long as the
 * checkpoint takes (7–18 ms measured under the refresh bench), every request waiting with it.
 */
export class WalCheckpointer {
  private worker: Worker | undefined;
  private stopping = false;
  private failed = false;
  private resetting = false;
  private pendingCatchUp: PendingCatchUp | undefined;

  constructor(private readonly options: WalCheckpointerOptions) {}

  /** Resolves once the worker has opened the database. */
  start(): Promise<void> {
    const resetAfterFrames = this.options.resetAfterFrames ?? DEFAULT_RESET_AFTER_FRAMES;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        driver: require.resolve('better-sqlite3'),
        file: this.options.file,
        intervalMs: this.options.intervalMs ?? 200,
        restartAfterFrames:
          this.options.restartAfterFrames ??
          (this.options.pauseWrites ? 4 * resetAfterFrames : resetAfterFrames),
      },
    });
    // A background helper must never be what keeps a process alive: a host (or a test) that
    // ends without closing the app still exits.
    worker.unref();
    this.worker = worker;
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on(
        'message',
        (
          message: { ready?: true; caughtUp?: WalFrames; failure?: unknown } & Partial<WalFrames>,
        ) => {
          if (message.failure) {
            const error = asError(message.failure);
            this.settleCatchUp((pending) => pending.reject(error));
            if (!ready) reject(error);
            else this.fail(error);
          } else if (message.ready) {
            ready = true;
            resolve();
          } else if (message.caughtUp) {
            this.settleCatchUp((pending) => pending.resolve(message.caughtUp as WalFrames));
          } else if (message.log !== undefined && message.checkpointed !== undefined) {
            const frames = { log: message.log, checkpointed: message.checkpointed };
            this.options.onCheckpoint?.(frames);
            if (frames.log > resetAfterFrames) this.resetLog();
          }
        },
      );
      worker.on('error', (thrown: unknown) => {
        const error = asError(thrown);
        this.settleCatchUp((pending) => pending.reject(error));
        if (!ready) reject(error);
        else this.fail(error);
      });
      worker.on('exit', (code) => {
        const error = new Error(`WAL checkpoint worker exited with code ${code}`);
        // Paused writes must never wait on a worker that is gone.
        if (this.worker === worker) this.worker = undefined;
        this.settleCatchUp((pending) => pending.reject(error));
        if (ready && !this.stopping) this.fail(error);
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
    // Referenced again while it stops: a process with nothing else to do would otherwise exit
    // before the worker's exit event, and whatever awaits this (app.close()) would never end.
    worker.ref();
    worker.postMessage('stop');
    await exited;
  }

  /** Reports the worker's end once: a worker that throws also exits, and the error says more. */
  private fail(error: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.options.onFailure(error);
  }

  /** Pauses writes for one catch-up checkpoint, so that the next write starts the log over. */
  private resetLog(): void {
    const { pauseWrites } = this.options;
    if (!pauseWrites || this.resetting) return;
    this.resetting = true;
    pauseWrites(() => this.catchUp())
      .then((frames) => this.options.onCheckpoint?.(frames))
      // A worker that failed reports through onFailure; the writes go on either way.
      .catch(() => undefined)
      .finally(() => {
        this.resetting = false;
      });
  }

  private catchUp(): Promise<WalFrames> {
    const worker = this.worker;
    if (!worker) return Promise.reject(new Error('WAL checkpoint worker stopped'));
    return new Promise((resolve, reject) => {
      this.pendingCatchUp = { resolve, reject };
      worker.postMessage('catch-up');
    });
  }

  /** Answers the caller waiting on a catch-up, if any, exactly once. */
  private settleCatchUp(settle: (pending: PendingCatchUp) => void): void {
    const pending = this.pendingCatchUp;
    this.pendingCatchUp = undefined;
    if (pending) settle(pending);
  }
}

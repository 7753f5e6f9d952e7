import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { WalCheckpointer } from './wal-checkpointer';

describe('WalCheckpointer', () => {
  let dir: string;
  let file: string;
  let db: Database.Database;
  let writeRound: () => void;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wal-checkpointer-'));
    file = join(dir, 'db.sqlite');
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    // As the server does once the worker runs: no checkpoint inside commits.
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, filler TEXT)');
    const insert = db.prepare('INSERT INTO rows (filler) VALUES (?)');
    // About 250 pages of WAL per round, in many small commits like the server's.
    writeRound = () => {
      for (let i = 0; i < 50; i += 1)
        db.transaction(() => {
          for (let j = 0; j < 5; j += 1) insert.run('x'.repeat(3000));
        })();
    };
  });

  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const walBytes = () => statSync(`${file}-wal`).size;

  /**
   * Resolves once checkpoints have copied every frame of the log and the log stopped growing:
   * three reports in a row alike. (A report can come from a checkpoint that ran while the
   * previous round was still writing: alone, it proves nothing about the final frames.)
   */
  const fullCheckpoint = (checkpointer: { seen: { log: number; checkpointed: number }[] }) =>
    new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 5000;
      const poll = setInterval(() => {
        const lastThree = checkpointer.seen.slice(-3);
        const settled =
          lastThree.length === 3 &&
          lastThree.every(
            (frames) =>
              frames.log > 0 &&
              frames.checkpointed === frames.log &&
              frames.log === lastThree[0].log,
          );
        if (settled) {
          clearInterval(poll);
          resolve();
        } else if (Date.now() > deadline) {
          clearInterval(poll);
          reject(new Error(`no full checkpoint: ${JSON.stringify(checkpointer.seen.slice(-3))}`));
        }
      }, 10);
    });

  it('checkpoints from its own thread, so the log restarts instead of growing', async () => {
    const seen: { log: number; checkpointed: number }[] = [];
    const checkpointer = new WalCheckpointer({
      file,
      intervalMs: 20,
      onFailure: (error) => {
        throw error;
      },
      onCheckpoint: (frames) => seen.push(frames),
    });
    await checkpointer.start();
    try {
      writeRound();
      const oneRound = walBytes();
      for (let round = 0; round < 4; round += 1) {
        seen.length = 0;
        await fullCheckpoint({ seen });
        writeRound();
      }
      // Without checkpoints the log would hold all five rounds. With them it is reused from
      // its start, and holds at most a round or two: a round can start while a checkpoint is
      // still finishing (seen on a loaded machine under Node 24: 2.2 rounds).
      expect(walBytes()).toBeLessThan(oneRound * 3);
    } finally {
      await checkpointer.stop();
    }
  });

  it('resets the log under constant writes by pausing them for one catch-up checkpoint', async () => {
    const insert = db.prepare('INSERT INTO rows (filler) VALUES (?)');
    const seen: { log: number; checkpointed: number }[] = [];
    let paused = false;
    let pauses = 0;
    const checkpointer = new WalCheckpointer({
      file,
      intervalMs: 10,
      resetAfterFrames: 200,
      // Never: only the paused catch-up may reset the log here.
      restartAfterFrames: Number.MAX_SAFE_INTEGER,
      pauseWrites: async (work) => {
        paused = true;
        pauses += 1;
        try {
          return await work();
        } finally {
          paused = false;
        }
      },
      onFailure: (error) => {
        throw error;
      },
      onCheckpoint: (frames) => seen.push(frames),
    });
    await checkpointer.start();
    let commits = 0;
    try {
      // A writer that commits on every turn of the event loop unless writes are paused, as
      // the server's group commit does under load: the log never sits fully checkpointed.
      const deadline = Date.now() + 1500;
      while (Date.now() < deadline) {
        if (!paused) {
          db.transaction(() => insert.run('x'.repeat(3000)))();
          commits += 1;
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      await checkpointer.stop();
    }
    expect(commits).toBeGreaterThan(1000);
    expect(pauses).toBeGreaterThan(0);
    // The log passed the limit and then started over: a later report is far smaller.
    const firstPast = seen.findIndex((frames) => frames.log > 200);
    expect(firstPast).toBeGreaterThanOrEqual(0);
    expect(seen.slice(firstPast + 1).some((frames) => frames.log < 100)).toBe(true);
    // Without resets, over a thousand commits of a page or more would make the log that long.
    expect(Math.max(...seen.map((frames) => frames.log))).toBeLessThan(commits);
  });

  it('releases paused writes when the worker stops or dies before catching up', async () => {
    for (const end of ['stopped', 'died'] as const) {
      let released = false;
      const checkpointer: WalCheckpointer = new WalCheckpointer({
        file,
        intervalMs: 5,
        resetAfterFrames: 1,
        restartAfterFrames: Number.MAX_SAFE_INTEGER,
        pauseWrites: async (work) => {
          if (end === 'stopped') await checkpointer.stop();
          else {
            // As if the worker crashed: it exits without being asked to.
            const { worker } = checkpointer as unknown as { worker: Worker };
            const exited = new Promise((resolve) => worker.once('exit', resolve));
            await worker.terminate();
            await exited;
          }
          try {
            return await work();
          } finally {
            released = true;
          }
        },
        onFailure: () => undefined,
      });
      await checkpointer.start();
      writeRound();
      const deadline = Date.now() + 5000;
      while (!released && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect({ end, released }).toEqual({ end, released: true });
    }
  });

  it('shows what happens without it: the log grows with every round', () => {
    writeRound();
    const oneRound = walBytes();
    for (let round = 0; round < 4; round += 1) writeRound();
    expect(walBytes()).toBeGreaterThan(oneRound * 4);
  });

  it('refuses to start on a database file that does not exist', async () => {
    const checkpointer = new WalCheckpointer({
      file: join(dir, 'missing.sqlite'),
      onFailure: () => undefined,
    });
    await expect(checkpointer.start()).rejects.toThrow();
  });

  it('keeps the process alive until the worker has exited, so code after stop() still runs', () => {
    // A child process with nothing else to keep its event loop alive, as at the end of a
    // script or during a shutdown: an unreferenced worker let it exit while stop() still
    // waited, so `await app.close()` never returned and the hooks after this one never ran.
    const script = `
      const { WalCheckpointer } = require(${JSON.stringify(require.resolve('./wal-checkpointer'))});
      const checkpointer = new WalCheckpointer({ file: ${JSON.stringify(file)}, onFailure: () => {} });
      checkpointer.start().then(() => checkpointer.stop()).then(() => console.log('stopped'));
    `;
    const output = execFileSync(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-e', script],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(output.trim()).toBe('stopped');
  });

  it('stops when asked, without reporting a failure', async () => {
    const onFailure = jest.fn();
    const checkpointer = new WalCheckpointer({ file, intervalMs: 10, onFailure });
    await checkpointer.start();
    await checkpointer.stop();
    expect(onFailure).not.toHaveBeenCalled();
  });
});

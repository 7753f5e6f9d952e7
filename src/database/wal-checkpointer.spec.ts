import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
      // Without checkpoints the log would hold all five rounds.
      expect(walBytes()).toBeLessThan(oneRound * 2);
    } finally {
      await checkpointer.stop();
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

  it('stops when asked, without reporting a failure', async () => {
    const onFailure = jest.fn();
    const checkpointer = new WalCheckpointer({ file, intervalMs: 10, onFailure });
    await checkpointer.start();
    await checkpointer.stop();
    expect(onFailure).not.toHaveBeenCalled();
  });
});

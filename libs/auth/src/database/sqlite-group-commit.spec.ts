import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteGroupCommit } from './sqlite-group-commit';

describe('SqliteGroupCommit', () => {
  let dir: string;
  let db: Database.Database;
  /** A second connection: it sees only what is committed. */
  let observer: Database.Database;
  let groupCommit: SqliteGroupCommit;
  let insert: (id: number) => number;

  const committedIds = () =>
    observer
      .prepare<[], { id: number }>('SELECT id FROM rows ORDER BY id')
      .all()
      .map((row) => row.id);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'group-commit-'));
    db = new Database(join(dir, 'db.sqlite'));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY)');
    observer = new Database(join(dir, 'db.sqlite'), { readonly: true });
    const statement = db.prepare('INSERT INTO rows (id) VALUES (?)');
    insert = db.transaction((id: number) => {
      statement.run(id);
      return id;
    });
    groupCommit = new SqliteGroupCommit(db, (work) => Promise.resolve(work()));
  });

  afterEach(() => {
    observer.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits the writes of one event-loop turn in one transaction, answering each', async () => {
    const seenByObserver: number[][] = [];
    const results = await Promise.all(
      [1, 2, 3].map((id) =>
        groupCommit.submit(() => {
          // Inside the batch the earlier writes are not committed yet: one transaction.
          seenByObserver.push(committedIds());
          return insert(id);
        }),
      ),
    );
    expect(results).toEqual([1, 2, 3]);
    expect(seenByObserver).toEqual([[], [], []]);
    expect(committedIds()).toEqual([1, 2, 3]);
  });

  it('settles a write only once it is committed', async () => {
    const visibleWhenAnswered = await groupCommit.submit(() => insert(7)).then(committedIds);
    expect(visibleWhenAnswered).toEqual([7]);
  });

  it('rolls back and rejects only the write that throws; the rest of the batch commits', async () => {
    const outcomes = await Promise.allSettled([
      groupCommit.submit(() => insert(1)),
      groupCommit.submit(() => insert(1)), // primary key violation
      groupCommit.submit(() => insert(2)),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(committedIds()).toEqual([1, 2]);
  });

  it('rejects every write of a batch whose transaction cannot run', async () => {
    const failing = new SqliteGroupCommit(db, () => Promise.reject(new Error('queue closed')));
    const outcomes = await Promise.allSettled([
      failing.submit(() => insert(1)),
      failing.submit(() => insert(2)),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(committedIds()).toEqual([]);
  });

  it('starts a new batch for writes submitted after a flush', async () => {
    await groupCommit.submit(() => insert(1));
    await groupCommit.submit(() => insert(2));
    expect(committedIds()).toEqual([1, 2]);
  });
});

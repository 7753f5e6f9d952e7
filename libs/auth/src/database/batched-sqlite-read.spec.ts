import Database from 'better-sqlite3';
import { batchedSqliteRead } from './batched-sqlite-read';

describe('batchedSqliteRead', () => {
  const db = new Database(':memory:');
  db.exec(
    "CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER); INSERT INTO t VALUES ('a', 1), ('b', 2)",
  );
  afterAll(() => db.close());

  it('answers the reads of one turn together, on the next turn, each with its own row', async () => {
    const read = batchedSqliteRead(
      db.prepare<[string], { id: string; n: number }>('SELECT id, n FROM t WHERE id = ?'),
    );
    const order: string[] = [];
    const reads = ['b', 'missing', 'a'].map((key) =>
      read(key).then((row) => {
        order.push(key);
        return row;
      }),
    );
    // Nothing is answered in the turn the reads were made in.
    await Promise.resolve();
    expect(order).toEqual([]);
    await expect(Promise.all(reads)).resolves.toEqual([
      { id: 'b', n: 2 },
      undefined,
      { id: 'a', n: 1 },
    ]);
    expect(order).toEqual(['b', 'missing', 'a']);
  });

  it('reads a key asked for several times in one turn once', async () => {
    const readKeys: string[] = [];
    db.function('recorded', (key: unknown) => {
      readKeys.push(key as string);
      return key as string;
    });
    const read = batchedSqliteRead(
      db.prepare<[string], { id: string }>('SELECT id FROM t WHERE id = recorded(?)'),
    );
    const rows = await Promise.all(['a', 'b', 'a', 'a'].map((key) => read(key)));
    expect(rows).toEqual([{ id: 'a' }, { id: 'b' }, { id: 'a' }, { id: 'a' }]);
    expect(readKeys).toEqual(['a', 'b']);
    // The next turn reads again: nothing is cached across turns.
    await read('a');
    expect(readKeys).toEqual(['a', 'b', 'a']);
  });

  it('fails only the read whose statement throws', async () => {
    db.function('echo_or_throw', (key: unknown) => {
      if (key === 'boom') throw new Error('boom');
      return key as string;
    });
    const read = batchedSqliteRead(
      db.prepare<[string], { id: string }>('SELECT echo_or_throw(?) AS id'),
    );
    const results = await Promise.allSettled([read('a'), read('boom'), read('b')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(results[0]).toEqual({ status: 'fulfilled', value: { id: 'a' } });
  });
});

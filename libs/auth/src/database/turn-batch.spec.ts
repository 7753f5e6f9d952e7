import { type ItemOutcome, settleEach, TurnBatch } from './turn-batch';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('TurnBatch', () => {
  it('hands the calls of one turn to one run, and each caller its own outcome', async () => {
    const runs: number[][] = [];
    const batch = new TurnBatch((inputs: number[]) => {
      runs.push(inputs);
      return Promise.resolve(
        inputs.map((n): ItemOutcome<number> =>
          n < 0 ? { ok: false, error: new Error(`negative ${n}`) } : { ok: true, value: n * 10 },
        ),
      );
    });
    const results = await Promise.allSettled([batch.submit(1), batch.submit(-2), batch.submit(3)]);
    expect(runs).toEqual([[1, -2, 3]]);
    expect(results).toEqual([
      { status: 'fulfilled', value: 10 },
      { status: 'rejected', reason: new Error('negative -2') },
      { status: 'fulfilled', value: 30 },
    ]);
  });

  it('starts a new run for calls made after the previous turn', async () => {
    const runs: number[][] = [];
    const batch = new TurnBatch((inputs: number[]) => {
      runs.push(inputs);
      return settleEach(inputs, (n) => Promise.resolve(n));
    });
    const first = batch.submit(1);
    await nextTurn();
    const second = batch.submit(2);
    await expect(Promise.all([first, second])).resolves.toEqual([1, 2]);
    expect(runs).toEqual([[1], [2]]);
  });

  it('settles no caller before the run has finished', async () => {
    let finish: (outcomes: ItemOutcome<string>[]) => void = () => undefined;
    const batch = new TurnBatch(
      () => new Promise<ItemOutcome<string>[]>((resolve) => (finish = resolve)),
    );
    let settled = false;
    const call = batch.submit('a').finally(() => (settled = true));
    await nextTurn();
    await nextTurn();
    expect(settled).toBe(false);
    finish([{ ok: true, value: 'done' }]);
    await expect(call).resolves.toBe('done');
  });

  it('fails every call of a run that rejects or throws', async () => {
    const rejecting = new TurnBatch<number, number>(() => Promise.reject(new Error('down')));
    const throwing = new TurnBatch<number, number>(() => {
      throw new Error('thrown');
    });
    const results = await Promise.allSettled([
      rejecting.submit(1),
      rejecting.submit(2),
      throwing.submit(3),
    ]);
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : r))).toEqual(
      ['down', 'down', 'thrown'],
    );
  });
});

describe('settleEach', () => {
  it('settles each input on its own', async () => {
    const outcomes = await settleEach([1, 2], (n) =>
      n === 2 ? Promise.reject(new Error('two')) : Promise.resolve(n),
    );
    expect(outcomes).toEqual([
      { ok: true, value: 1 },
      { ok: false, error: new Error('two') },
    ]);
  });
});

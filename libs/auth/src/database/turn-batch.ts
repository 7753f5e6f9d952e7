/** How one item of a batch ended: its value, or the error that failed it alone. */
export type ItemOutcome<Out> = { ok: true; value: Out } | { ok: false; error: unknown };

/** Runs a whole batch; the outcomes are in the order of `inputs`. */
export type BatchRunner<In, Out> = (inputs: In[]) => Promise<ItemOutcome<Out>[]>;

interface Pending<In, Out> {
  input: In;
  resolve: (value: Out) => void;
  reject: (error: unknown) => void;
}

/**
 * Collects the calls made during one turn of the event loop and runs them together on the
 * next (setImmediate): under load, many requests share one database round trip or commit,
 * while a lone call waits for nothing but the end of the current turn. Each caller's promise
 * settles with its own outcome, only once the runner has finished. If the runner itself
 * fails, every call of the batch fails with that error.
 */
export class TurnBatch<In, Out> {
  private pending: Pending<In, Out>[] = [];

  constructor(private readonly run: BatchRunner<In, Out>) {}

  submit(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.pending.push({ input, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    // Through a promise, so a runner that throws synchronously fails the batch the same way.
    void Promise.resolve(batch.map((item) => item.input))
      .then((inputs) => this.run(inputs))
      .then(
        (outcomes) =>
          batch.forEach((item, i) => {
            const outcome = outcomes[i];
            if (outcome.ok) item.resolve(outcome.value);
            else item.reject(outcome.error);
          }),
        (error: unknown) => batch.forEach((item) => item.reject(error)),
      );
  }
}

/** Runs synchronous work and captures how it ended, for runners that work item by item. */
export function outcomeOf<Out>(run: () => Out): ItemOutcome<Out> {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Settles each input on its own: the runner for items that must not share one failure. */
export function settleEach<In, Out>(
  inputs: In[],
  runOne: (input: In) => Promise<Out>,
): Promise<ItemOutcome<Out>[]> {
  return Promise.all(
    inputs.map((input) =>
      runOne(input).then(
        (value): ItemOutcome<Out> => ({ ok: true, value }),
        (error: unknown): ItemOutcome<Out> => ({ ok: false, error }),
      ),
    ),
  );
}

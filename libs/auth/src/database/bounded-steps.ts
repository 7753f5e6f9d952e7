/**
 * Long background work (the clean-ups) in bounded steps, with a turn of the event loop between
 * steps. better-sqlite3 runs every query on the event loop, and awaiting a query's promise
 * alone never lets a request in: one statement over a whole table held a SQLite server for
 * 11 s at ten million token rows (`npm run bench:cleanup`).
 */

/** Resolves after the event loop has served what was waiting (I/O first, then this immediate). */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Walks a table in key order: `step(after)` handles a bounded number of rows after the key
 * `after` and returns the last key it reached, or null once no rows are left. Every step waits
 * for a turn first.
 */
export async function walkInKeyOrder(
  step: (after: string) => Promise<string | null>,
): Promise<void> {
  for (let after: string | null = ''; after !== null;) {
    await nextTurn();
    after = await step(after);
  }
}

/**
 * Repeats `step`, which handles at most `limit` rows and returns how many it did, until one
 * does fewer; a turn between steps. Returns the total.
 */
export async function repeatWhileFull(limit: number, step: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const done = await step();
    total += done;
    if (done < limit) return total;
    await nextTurn();
  }
}

/**
 * Runs `work` and counts the event loop's turns meanwhile, with an immediate that requeues
 * itself: background work that yields between its steps lets it run, work that only awaits
 * synchronous SQLite queries does not.
 */
export async function countingTurns<T>(
  work: () => Promise<T>,
): Promise<{ result: T; turns: number }> {
  let turns = 0;
  let counting = true;
  const count = () => {
    turns += 1;
    if (counting) setImmediate(count);
  };
  setImmediate(count);
  try {
    return { result: await work(), turns };
  } finally {
    counting = false;
  }
}

/**
 * Resolves after the event loop has served what was waiting (I/O first, then this immediate).
 * Long background work on SQLite awaits it between bounded steps: better-sqlite3 runs every
 * query on the event loop, and awaiting a query's promise alone never lets a request in.
 */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Epoch milliseconds; timestamps are stored as integers so both dialects compare them alike. */
export function nowMs(): number {
  return Date.now();
}

export function toIso(epochMs: number | null | undefined): string | null {
  return epochMs === null || epochMs === undefined ? null : new Date(epochMs).toISOString();
}

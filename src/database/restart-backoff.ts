/**
 * The delays between restarts of a background worker that keeps failing: `firstMs`, doubling
 * up to `maxMs`. `succeeded()` starts over from `firstMs`. (One line of arithmetic: the retry
 * libraries on npm retry a call until it resolves, while here a worker starts fine and fails
 * later, on its own schedule.)
 */
export class RestartBackoff {
  private failures = 0;

  constructor(
    private readonly firstMs = 1000,
    private readonly maxMs = 30_000,
  ) {}

  /** The delay before the next restart; each call doubles the following one. */
  next(): number {
    const delay = Math.min(this.maxMs, this.firstMs * 2 ** this.failures);
    if (delay < this.maxMs) this.failures += 1;
    return delay;
  }

  succeeded(): void {
    this.failures = 0;
  }
}

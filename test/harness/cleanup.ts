/** The one cleanup stack of a test: everything a test or a fixture starts is stopped in reverse. */

/** Registers a cleanup to run after the test; the last one registered runs first. */
export type Defer = (cleanup: () => unknown) => void;

/**
 * Cleanups run last-in first-out, so a gateway stops before the store it writes is closed and the
 * folder holding that store is removed. Every cleanup runs even when an earlier one throws; the
 * failures are thrown together at the end.
 */
export class CleanupStack {
  private readonly cleanups: (() => unknown)[] = [];

  /** Registers a cleanup (bound, so it can be handed around). */
  readonly defer: Defer = (cleanup) => {
    this.cleanups.push(cleanup);
  };

  /** Runs every cleanup, the last registered first, including any registered while running. */
  async run(): Promise<void> {
    const errors: unknown[] = [];
    for (let cleanup = this.cleanups.pop(); cleanup !== undefined; cleanup = this.cleanups.pop()) {
      try {
        await cleanup();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} cleanups failed`);
  }
}

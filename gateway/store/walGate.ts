/**
 * Lets the WAL checkpointer finish. A PASSIVE checkpoint copies the frames that were in the WAL
 * when it began; while bulk writes commit every few milliseconds (a sync snapshot's chunks) it
 * never catches up with the last frame, so SQLite never starts the WAL over and the file grows by
 * every page every chunk writes: measured, 10 GB half-way through a 1M-member snapshot, with each
 * commit's fsync slower as the file grows. The checkpointer closes this gate when a checkpoint fell
 * short on a WAL past its limit; bulk writers wait at it between transactions while scans go on,
 * so the next checkpoint copies the few frames left and the next commit starts the WAL over.
 */

/** The longest a bulk writer waits at a closed gate (ms): the sync never stalls longer. */
export const MAX_PAUSE_MS = 250;

export class WalGate {
  private closed = false;
  private waiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private pauses = 0;

  /** Bulk writers wait from now on until `open()`, or at most MAX_PAUSE_MS. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pauses++;
    this.timer = setTimeout(() => this.open(), MAX_PAUSE_MS);
    this.timer.unref?.();
  }

  /** Lets waiting and later bulk writers through. */
  open(): void {
    if (!this.closed) return;
    this.closed = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  isClosed(): boolean {
    return this.closed;
  }

  /** How many times the gate closed (the checkpointer asked bulk writes to pause). */
  pauseCount(): number {
    return this.pauses;
  }

  /** Resolves at once while open, else when the gate opens (at most MAX_PAUSE_MS later). */
  pass(): Promise<void> {
    if (!this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

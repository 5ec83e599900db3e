/**
 * Runs tasks one after another per key: a task for a key starts only once every earlier task for
 * that key has settled; tasks for different keys run concurrently. No timers, no clock.
 */
export class KeyedQueue<K> {
  private readonly tails = new Map<K, Promise<unknown>>();
  private readonly depths = new Map<K, number>();

  /**
   * Queues `task` behind the key's earlier tasks; resolves or rejects as the task does. A key with
   * nothing queued or running starts its task at once, in the caller's turn: a door's pulse is on
   * its way to the line before the caller goes on (its log line, the reader's feedback), not one
   * turn of the event loop later. With `counted: false` it is left out of {@link pending}
   * (housekeeping, not the caller's work).
   */
  run<T>(key: K, task: () => Promise<T>, { counted = true }: { counted?: boolean } = {}): Promise<T> {
    const before = this.tails.get(key);
    // In place before the task starts, so a task that queues for its own key waits for itself.
    let settled!: () => void;
    const tail = new Promise<void>((resolve) => {
      settled = resolve;
    });
    this.tails.set(key, tail);
    if (counted) this.depths.set(key, (this.depths.get(key) ?? 0) + 1);
    const start = (): Promise<T> => {
      try {
        return Promise.resolve(task());
      } catch (err) {
        return Promise.reject(err);
      }
    };
    // A failed earlier task must not block later ones: wait for it to settle, whatever the outcome.
    const result = before === undefined ? start() : before.then(start, start);
    void result.then(settled, settled);
    void tail.then(() => {
      if (counted) {
        const left = (this.depths.get(key) ?? 1) - 1;
        if (left === 0) this.depths.delete(key);
        else this.depths.set(key, left);
      }
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Tasks queued or running for a key (all keys when none is given). */
  pending(key?: K): number {
    if (key !== undefined) return this.depths.get(key) ?? 0;
    let n = 0;
    for (const d of this.depths.values()) n += d;
    return n;
  }

  /** Resolves once every task queued so far has settled. */
  async idle(): Promise<void> {
    await Promise.all([...this.tails.values()]);
  }
}

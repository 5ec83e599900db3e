/**
 * Runs tasks one after another per key: a task for a key starts only once every earlier task for
 * that key has settled; tasks for different keys run concurrently. No timers, no clock.
 */
export class KeyedQueue<K> {
  private readonly tails = new Map<K, Promise<unknown>>();
  private readonly depths = new Map<K, number>();

  /**
   * Queues `task` behind the key's earlier tasks; resolves or rejects as the task does. With
   * `counted: false` it is left out of {@link pending} (housekeeping, not the caller's work).
   */
  run<T>(key: K, task: () => Promise<T>, { counted = true }: { counted?: boolean } = {}): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    // A failed earlier task must not block later ones: wait for it to settle, whatever the outcome.
    const result = before.then(
      () => task(),
      () => task(),
    );
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    if (!counted) return result;
    this.depths.set(key, (this.depths.get(key) ?? 0) + 1);
    void tail.then(() => {
      const left = (this.depths.get(key) ?? 1) - 1;
      if (left === 0) {
        this.depths.delete(key);
        if (this.tails.get(key) === tail) this.tails.delete(key);
      } else this.depths.set(key, left);
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

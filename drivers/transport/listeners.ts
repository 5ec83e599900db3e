/** A tiny typed listener set: each event maps to one callback signature. */
export class Listeners<Events extends { [K in keyof Events]: (...args: never[]) => void }> {
  private readonly sets = new Map<keyof Events, Set<Events[keyof Events]>>();

  /** Adds a listener; returns a function that removes it again. */
  on<K extends keyof Events>(event: K, listener: Events[K]): () => void {
    let set = this.sets.get(event);
    if (set === undefined) {
      set = new Set();
      this.sets.set(event, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  /** How many listeners an event has. */
  count(event: keyof Events): number {
    return this.sets.get(event)?.size ?? 0;
  }

  /** Calls every listener of an event with the given arguments, in the order they were added. */
  emit<K extends keyof Events>(event: K, ...args: Parameters<Events[K]>): void {
    const set = this.sets.get(event);
    if (set === undefined) return;
    for (const listener of [...set]) (listener as (...a: Parameters<Events[K]>) => void)(...args);
  }
}

/**
 * A reload's changes to one kind of device (cli.md `reload`): the readers, relays and inputs
 * features keep a slot per configured device by id; these stop some and start others while the
 * rest go on untouched (their drivers are not closed).
 */

/** A device's slot: its configuration and whatever the feature keeps with it. */
export interface Slot<C extends { id: string }> {
  config: C;
}

/** Takes the slots of `ids` out of `slots` and stops them (all at once; a failed stop is the driver's to log). */
export async function stopSlots<S>(
  slots: Map<string, S>,
  ids: Iterable<string>,
  stop: (slot: S) => Promise<void> | void,
): Promise<void> {
  const gone: S[] = [];
  for (const id of ids) {
    const slot = slots.get(id);
    if (slot === undefined) continue;
    slots.delete(id);
    gone.push(slot);
  }
  await Promise.allSettled(gone.map(async (slot) => stop(slot)));
}

/**
 * Makes a slot for each device of `next` whose id is in `ids` (and has none yet), puts every slot
 * in `next`'s order with its new configuration, then starts the new ones.
 */
export function startSlots<C extends { id: string }, S extends Slot<C>>(
  slots: Map<string, S>,
  next: readonly C[],
  ids: ReadonlySet<string>,
  make: (config: C) => S,
  start: (slot: S) => void,
): void {
  const made: S[] = [];
  const ordered = next.flatMap((config): S[] => {
    const kept = slots.get(config.id);
    if (kept !== undefined && !ids.has(config.id)) {
      // Untouched: its driver runs on; equal settings, the new file's object.
      kept.config = config;
      return [kept];
    }
    if (kept === undefined && !ids.has(config.id)) return [];
    const slot = make(config);
    made.push(slot);
    return [slot];
  });
  slots.clear();
  for (const slot of ordered) slots.set(slot.config.id, slot);
  for (const slot of made) start(slot);
}

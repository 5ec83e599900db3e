/** Timers as a dependency: the daemon hands in the real ones, tests fake timers or a manual scheduler. */

/** Timers, handed in so tests can drive them (vitest fake timers or a manual scheduler). */
export interface Scheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /**
   * Runs `fn` as soon as the I/O callbacks now due have run, without a timer's 1 ms floor. Optional:
   * a scheduler without it (a manual one in tests) gets `setTimeout(fn, 0)` from `soon()`.
   */
  setImmediate?(fn: () => void): unknown;
  clearImmediate?(handle: unknown): void;
}

/** The global timers. */
export const realScheduler: Scheduler = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  setImmediate: (fn) => setImmediate(fn),
  clearImmediate: (handle) => clearImmediate(handle as ReturnType<typeof setImmediate>),
};

/** A pending `soon()` or timer, to hand back to `cancel()`. */
export interface Pending {
  immediate: boolean;
  handle: unknown;
}

/**
 * `fn` after `ms`, or, for 0, straight after the I/O now due: Node's timers never fire sooner than
 * 1 ms, a hop that costs a half-duplex bus a millisecond per packet.
 */
export function soon(scheduler: Scheduler, fn: () => void, ms: number): Pending {
  if (ms <= 0 && scheduler.setImmediate !== undefined)
    return { immediate: true, handle: scheduler.setImmediate(fn) };
  return { immediate: false, handle: scheduler.setTimeout(fn, Math.max(0, ms)) };
}

/** Cancels what `soon()` scheduled. */
export function cancel(scheduler: Scheduler, pending: Pending): void {
  if (pending.immediate) scheduler.clearImmediate?.(pending.handle);
  else scheduler.clearTimeout(pending.handle);
}

/** Timers as a dependency: the daemon hands in the real ones, tests fake timers or a manual scheduler. */

/** Timers, handed in so tests can drive them (vitest fake timers or a manual scheduler). */
export interface Scheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The global timers. */
export const realScheduler: Scheduler = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Jittered exponential backoff: pure, with the random source handed in. */

/** How the delay is spread below its ceiling. */
export type Jitter = "full" | "equal" | "none";

/** Backoff settings. */
export interface BackoffOptions {
  /** Ceiling of the first retry, in ms. */
  baseMs: number;
  /** Growth per attempt. */
  factor: number;
  /** No delay is ever longer than this, in ms. */
  capMs: number;
  /** "full": uniform in [0, ceiling); "equal": uniform in [ceiling/2, ceiling); "none": the ceiling. */
  jitter: Jitter;
}

/** 250 ms doubling up to 30 s, full jitter. */
export const defaultBackoff: Readonly<BackoffOptions> = {
  baseMs: 250,
  factor: 2,
  capMs: 30_000,
  jitter: "full",
};

/** The largest delay for a retry: min(cap, base · factor^attempt); attempt counts from 0. */
export function backoffCeiling(attempt: number, options: BackoffOptions = defaultBackoff): number {
  const n = Number.isFinite(attempt) && attempt > 0 ? Math.floor(attempt) : 0;
  const raw = options.baseMs * options.factor ** n;
  const cap = Math.max(0, options.capMs);
  return Number.isFinite(raw) ? Math.min(cap, Math.max(0, raw)) : cap;
}

/** The delay before retry `attempt` (from 0), in whole ms within [0, cap]; `random` returns [0, 1). */
export function backoffDelay(
  attempt: number,
  random: () => number,
  options: BackoffOptions = defaultBackoff,
): number {
  const ceiling = backoffCeiling(attempt, options);
  // A misbehaving random source must not push the delay outside [0, ceiling].
  const r = Math.min(1, Math.max(0, Number.isFinite(random()) ? random() : 0));
  let delay: number;
  switch (options.jitter) {
    case "full":
      delay = ceiling * r;
      break;
    case "equal":
      delay = ceiling / 2 + (ceiling / 2) * r;
      break;
    default:
      delay = ceiling;
  }
  return Math.min(ceiling, Math.max(0, Math.floor(delay)));
}

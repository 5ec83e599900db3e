/**
 * An input's level as the door logic sees it (doors.md D1): the device's raw reading turned round
 * by `activeLow`, held `debounceMs` before it counts, and `unknown` at once while the device is
 * down (never `inactive` then). The edge's instant is when the new level first appeared.
 */
import type { Scheduler } from "../../runtime/scheduler.js";

/** What an input reads: active, inactive, or unknown while its device is down. */
export type InputLevel = "active" | "inactive" | "unknown";

/** What a LevelFilter is handed. */
export interface LevelFilterOptions {
  activeLow: boolean;
  debounceMs: number;
  scheduler: Scheduler;
  clock: () => number;
  /** A counted change of level, with the instant (ms) of its edge. */
  onChange: (level: InputLevel, at: number) => void;
}

/** A level waiting out its debounce time. */
interface Pending {
  level: "active" | "inactive";
  at: number;
  timer: unknown;
}

/** One input's level: raw readings and "device down" in, debounced changes out. */
export class LevelFilter {
  private readonly options: LevelFilterOptions;
  private current: InputLevel = "unknown";
  private currentSince: number;
  private pending: Pending | undefined;

  constructor(options: LevelFilterOptions) {
    this.options = options;
    this.currentSince = options.clock();
  }

  /** The counted level now. */
  level(): InputLevel {
    return this.current;
  }

  /** When the counted level began (ms): the edge's instant. */
  since(): number {
    return this.currentSince;
  }

  /** A reading from the device (before activeLow): `true` when the wire says active. */
  reading(rawActive: boolean): void {
    const { activeLow, debounceMs, clock } = this.options;
    // D1: activeLow turns the wire round (a normally-closed contact reads active when open).
    const next = rawActive !== activeLow ? "active" : "inactive";
    const now = clock();
    if (this.current === "unknown") {
      // The first level after start or after the device came back is its state, not an edge:
      // it counts at once (a fire contact already active must not wait out a debounce).
      this.cancel();
      this.commit(next, now);
      return;
    }
    if (next === this.current) {
      // D1: chatter that returned before debounceMs is no change.
      this.cancel();
      return;
    }
    if (this.pending?.level === next) return;
    this.cancel();
    if (debounceMs === 0) {
      this.commit(next, now);
      return;
    }
    const pending: Pending = { level: next, at: now, timer: undefined };
    pending.timer = this.options.scheduler.setTimeout(() => {
      if (this.pending !== pending) return;
      this.pending = undefined;
      this.commit(pending.level, pending.at);
    }, debounceMs);
    this.pending = pending;
  }

  /** The device is unreachable: D1 unknown at once, never inactive; a level waiting is dropped. */
  down(): void {
    this.cancel();
    if (this.current !== "unknown") this.commit("unknown", this.options.clock());
  }

  /** Drops a level waiting out its debounce (on stop). */
  cancel(): void {
    if (this.pending === undefined) return;
    this.options.scheduler.clearTimeout(this.pending.timer);
    this.pending = undefined;
  }

  private commit(level: InputLevel, at: number): void {
    this.current = level;
    this.currentSince = at;
    this.options.onChange(level, at);
  }
}

/**
 * Whether the gateway is in step with the central (sync.offline counts staleness from the last
 * moment it was): in step once an answer to its hello completes or a change applies in order, out
 * of step when the link drops or a change shows a gap. While in step the last sync time in the
 * cache is kept current, so `explain`/`scan` in another process judge the cache the same way.
 */
import type { Logger } from "pino";
import type { Scheduler } from "../../runtime/scheduler.js";
import { markSynced, type Store } from "../store/db.js";

/** What a StepTracker is handed. */
export interface StepTrackerOptions {
  store: Store;
  clock: () => number;
  scheduler: Scheduler;
  logger: Logger;
  /** How often the last sync time is refreshed while in step (default 60 s). */
  intervalMs?: number;
}

/** In step or not; the constructor only assigns. */
export class StepTracker {
  private inStep = false;
  private timer: unknown;
  private stopped = false;

  constructor(private readonly o: StepTrackerOptions) {}

  /** True while the cache follows the central. */
  current(): boolean {
    return this.inStep;
  }

  /** The central answered (or a change applied in order): the cache is current as of now. */
  enter(): void {
    this.inStep = true;
    this.touch();
    if (this.timer !== undefined || this.stopped) return;
    const every = this.o.intervalMs ?? 60_000;
    const tick = () => {
      this.timer = undefined;
      if (!this.inStep || this.stopped) return;
      this.touch();
      this.timer = this.o.scheduler.setTimeout(tick, every);
    };
    this.timer = this.o.scheduler.setTimeout(tick, every);
  }

  /** Not in step any more (link down, gap): the last sync time stays where it is now. */
  leave(): void {
    if (this.inStep) this.touch();
    this.inStep = false;
    this.o.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Leaves step for good (the client stops). */
  stop(): void {
    this.leave();
    this.stopped = true;
  }

  private touch(): void {
    try {
      markSynced(this.o.store, this.o.clock());
    } catch (err) {
      this.o.logger.warn({ err }, "sync: could not record the last sync time");
    }
  }
}

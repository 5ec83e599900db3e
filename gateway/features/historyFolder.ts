/**
 * sync.md "History horizon": the gateway's own fold as time passes. Soon after the start and then
 * every hour it works out where the site's horizon starts; when that moved (once a day, at local
 * midnight, or when a configuration changed the horizon) it runs a fold pass (historyFold.ts): a
 * page of members per transaction, the event loop let in between, so scans are decided meanwhile.
 */
import type { Logger } from "pino";
import type { Scheduler } from "../../runtime/scheduler.js";
import type { Store } from "../store/db.js";
import { foldCut, foldedTo, foldHistory } from "../store/historyFold.js";
import type { Feature } from "./controller.js";

/** The first look after the start: the gateway settles (sync answer, readers) first. */
const FIRST_MS = 60_000;
/** How often it looks whether the horizon moved. */
const EVERY_MS = 3_600_000;

/** What a HistoryFolder is handed. */
export interface HistoryFolderOptions {
  store: Store;
  clock: () => number;
  scheduler: Scheduler;
  log: Logger;
  firstMs?: number;
  everyMs?: number;
}

/** Runs the fold pass whenever the horizon moved; `start()` and `stop()`. */
export class HistoryFolder implements Feature {
  readonly name = "historyFold";
  private readonly o: HistoryFolderOptions;
  private timer: unknown;
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(options: HistoryFolderOptions) {
    this.o = options;
  }

  /** Schedules the first look. */
  start(): void {
    this.stopping = false;
    this.schedule(this.o.firstMs ?? FIRST_MS);
  }

  /** Cancels the next look and ends a running pass at its next page. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer !== undefined) this.o.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Runs a pass now unless the last one already folded to where the horizon starts (tests, `tick`). */
  async foldNow(): Promise<void> {
    const { store, clock, log } = this.o;
    const now = clock();
    const cut = foldCut(store, now);
    if (cut !== null && foldedTo(store, cut)) return;
    const started = performance.now();
    const out = await foldHistory(store, now, {
      // Scans between pages; and, like the sync's chunks, a moment for the checkpointer to catch
      // up when the WAL has grown (store/walGate.ts): a pass over millions of members is long.
      pause: async () => {
        await new Promise<void>((resolve) => setImmediate(resolve));
        await store.walGate.pass();
      },
      stopped: () => this.stopping,
    });
    if (out.cut === null) return;
    log.info(
      {
        horizonStart: new Date(out.cut).toISOString(),
        members: out.members,
        entries: out.entries,
        visits: out.visits,
        ms: Math.round(performance.now() - started),
      },
      "history older than the horizon folded",
    );
  }

  private schedule(ms: number): void {
    if (this.stopping) return;
    this.timer = this.o.scheduler.setTimeout(() => {
      this.timer = undefined;
      this.running = this.foldNow()
        .catch((err: unknown) => this.o.log.warn({ err }, "history fold failed; tried again in an hour"))
        .finally(() => {
          this.running = undefined;
          this.schedule(this.o.everyMs ?? EVERY_MS);
        });
    }, ms);
  }
}

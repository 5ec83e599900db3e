/**
 * The live page's feed of decisions: the access pipeline's observer hands it each decided scan, and
 * it reads what the store recorded since it last looked (R14: every decision is an event), so the
 * front desk's admits and opens show too. It keeps the newest few for a page opened later and
 * tells every open live page (Server-Sent Events) at once.
 */
import type { Logger } from "pino";
import type { DecisionObserver } from "../features/accessPipeline.js";
import type { Store } from "../store/db.js";
import { eventsBetween, iterateEvents, lastEventSeq, type RecordedEvent } from "../store/events.js";

/** How many recent decisions a newly opened live page is shown. */
export const RECENT_DECISIONS = 50;

/** Where the console hears decisions: the newest ones now, and each new one as it is recorded. */
export interface DecisionSource {
  /** The newest decisions, oldest first. */
  recent(): RecordedEvent[];
  /** Calls `listener` with each decision recorded from now on; returns how to stop. */
  subscribe(listener: (event: RecordedEvent) => void): () => void;
  /** Calls `watcher` when the gateway's status changes (a door mode, an alarm, a device). */
  watchStatus?(watcher: () => void): () => void;
}

/** What a DecisionFeed is handed. */
export interface DecisionFeedOptions {
  store: Store;
  logger: Logger;
  /** Another observer that hears every decision too (the /metrics histograms). */
  forward?: DecisionObserver;
  /** How many recent decisions to keep; RECENT_DECISIONS by default. */
  keep?: number;
}

/** A DecisionObserver for the daemon that is also the console's DecisionSource. */
export class DecisionFeed implements DecisionObserver, DecisionSource {
  private readonly o: DecisionFeedOptions;
  private readonly listeners = new Set<(event: RecordedEvent) => void>();
  private readonly watchers = new Set<() => void>();
  private readonly kept: RecordedEvent[];
  private seenSeq: number;
  private pokeQueued = false;

  constructor(options: DecisionFeedOptions) {
    this.o = options;
    const keep = options.keep ?? RECENT_DECISIONS;
    // One read transaction: the newest decisions and the seq they reach are one snapshot.
    const snapshot = options.store.db.transaction(() => ({
      seq: lastEventSeq(options.store),
      events: [...iterateEvents(options.store, { kind: "decision", last: keep })] as RecordedEvent[],
    }))();
    this.seenSeq = snapshot.seq;
    this.kept = snapshot.events;
  }

  /**
   * The pipeline decided and recorded a scan: the feed reads it (and anything recorded before it)
   * once the pipeline's synchronous work is done, since the pipeline hears back before it signals
   * the door and the live pages must not delay a door.
   */
  decided(decision: "grant" | "deny", reason: string, seconds: number): void {
    this.o.forward?.decided(decision, reason, seconds);
    if (this.pokeQueued) return;
    this.pokeQueued = true;
    queueMicrotask(() => {
      this.pokeQueued = false;
      this.poke();
    });
  }

  /** Passed on to the forwarded observer. */
  relayCommanded(seconds: number): void {
    this.o.forward?.relayCommanded(seconds);
  }

  /** Reads the decisions recorded since the last look and tells the listeners; never throws. */
  poke(): void {
    try {
      const high = lastEventSeq(this.o.store);
      if (high <= this.seenSeq) return;
      const fresh = eventsBetween(this.o.store, { kind: "decision" }, this.seenSeq, high);
      this.seenSeq = high;
      for (const event of fresh as RecordedEvent[]) this.publish(event);
    } catch (err) {
      // The live page misses a row; the decision itself is recorded and the door unaffected.
      this.o.logger.warn({ err }, "console: could not read the new decisions for the live page");
    }
  }

  /**
   * The gateway's status changed (its onChange: a door mode, an alarm, a device): reads any new
   * decisions and tells the status watchers, so live pages fetch their panels at once.
   */
  changed(): void {
    this.poke();
    for (const watcher of this.watchers) {
      try {
        watcher();
      } catch (err) {
        this.o.logger.warn({ err }, "console: a live page could not be told of a status change");
      }
    }
  }

  /** Calls `watcher` at each status change from now on; returns how to stop. */
  watchStatus(watcher: () => void): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** The newest decisions, oldest first. */
  recent(): RecordedEvent[] {
    return [...this.kept];
  }

  /** Calls `listener` with each decision recorded from now on; returns how to stop. */
  subscribe(listener: (event: RecordedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private publish(event: RecordedEvent): void {
    this.kept.push(event);
    if (this.kept.length > (this.o.keep ?? RECENT_DECISIONS)) this.kept.shift();
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.o.logger.warn(
          { err, eventId: event.id },
          "console: a live page could not be told of a decision",
        );
      }
    }
  }
}

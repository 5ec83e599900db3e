/**
 * doors.md D2: the provisional grants waiting for their passage, per passage input, oldest first.
 * A passage settles the oldest; a deadline undoes its grant; a passage with nobody waiting is a
 * tailgate. The waits are stored (store/passages.ts): these are their timers.
 */
import type { Logger } from "pino";
import type { Scheduler } from "../../runtime/scheduler.js";
import type { Store } from "../store/db.js";
import type { RecordedEvent } from "../store/events.js";
import type { UndoOutcome } from "../store/grantUndo.js";
import { type PassageWait, recordNoPassage, recordPassage, waitingGrants } from "../store/passages.js";

/** What the waits are handed. */
export interface PassageWaitsOptions {
  store: Store;
  clock: () => number;
  scheduler: Scheduler;
  log: Logger;
  /** A grant was undone for want of a passage (the pipeline's "grant undone" point). */
  undone: (event: RecordedEvent, outcome: UndoOutcome) => void;
  /** A passage settled a grant (the event is queued again). */
  settled: (event: RecordedEvent) => void;
  /** A passage came with no grant waiting (D4 tailgate). */
  tailgate: (doorId: string, input: string) => void;
}

interface Waiting {
  event: RecordedEvent;
  wait: PassageWait;
  timer: unknown;
}

/** The waiting grants and their deadlines. */
export class PassageWaits {
  private readonly o: PassageWaitsOptions;
  private readonly queues = new Map<string, Waiting[]>();

  constructor(options: PassageWaitsOptions) {
    this.o = options;
  }

  /**
   * D2 after a restart: a grant whose deadline passed without a recorded passage is undone; the
   * others wait again for what is left of their time.
   */
  restore(): void {
    const now = this.o.clock();
    for (const { event, ...wait } of waitingGrants(this.o.store)) {
      if (wait.deadline <= now) this.expire(event);
      else this.add(event, wait);
    }
  }

  /** A provisional grant starts waiting (its wait is already stored with the decision). */
  add(event: RecordedEvent, wait: PassageWait): void {
    const entry: Waiting = { event, wait, timer: undefined };
    const delay = Math.max(0, wait.deadline - this.o.clock());
    entry.timer = this.o.scheduler.setTimeout(() => this.timeout(entry), delay);
    const queue = this.queues.get(wait.input) ?? [];
    queue.push(entry);
    this.queues.set(wait.input, queue);
  }

  /** D2: the input saw somebody pass: the oldest grant waiting on it is settled; none → tailgate. */
  passage(input: string, doorId: string): void {
    const queue = this.queues.get(input) ?? [];
    for (let entry = queue.shift(); entry !== undefined; entry = queue.shift()) {
      this.o.scheduler.clearTimeout(entry.timer);
      // False when the grant was undone meanwhile (a relay failure): the next one takes the passage.
      if (recordPassage(this.o.store, entry.event.seq)) {
        this.o.settled(entry.event);
        return;
      }
    }
    this.o.tailgate(doorId, input);
  }

  /** A grant undone otherwise (its relay failed) waits no more. */
  drop(seq: number): void {
    for (const queue of this.queues.values()) {
      const i = queue.findIndex((w) => w.event.seq === seq);
      if (i < 0) continue;
      this.o.scheduler.clearTimeout(queue[i]?.timer);
      queue.splice(i, 1);
    }
  }

  /** How many grants wait at the door (status). */
  waitingAt(doorId: string): number {
    let n = 0;
    for (const queue of this.queues.values()) n += queue.filter((w) => w.wait.doorId === doorId).length;
    return n;
  }

  /** Forgets the timers; the stored waits are decided by the next start. */
  stop(): void {
    for (const queue of this.queues.values()) for (const w of queue) this.o.scheduler.clearTimeout(w.timer);
    this.queues.clear();
  }

  private timeout(entry: Waiting): void {
    const queue = this.queues.get(entry.wait.input) ?? [];
    const i = queue.indexOf(entry);
    if (i >= 0) queue.splice(i, 1);
    this.expire(entry.event);
  }

  /** D2: no passage by the deadline: the grant is undone (nothing happens if it no longer waits). */
  private expire(event: RecordedEvent): void {
    try {
      const outcome = recordNoPassage(this.o.store, event, this.o.clock());
      if (outcome.marked) this.o.undone(event, outcome);
    } catch (err) {
      this.o.log.error({ err, eventId: event.id }, "could not undo the grant without a passage");
    }
  }
}

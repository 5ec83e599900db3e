/**
 * The access pipeline: a card read → debounce (R17) → decide and record (R14) → door pulse. Its
 * stop() waits for the pulses still in flight, so it stops after the readers and before the relays.
 */
import type { Logger } from "pino";
import { maskCard } from "../../config/cardNumber.js";
import type { Door, GatewayConfig, Reader } from "../../config/gateway.js";
import type { StatusCounters, StatusLastScan } from "../../config/statusDocument.js";
import type { CardEvent } from "../../drivers/readers/readerDriver.js";
import { Debouncer } from "../debounce.js";
import { decisionLogFields } from "../decisionLog.js";
import { recordDecided, recordError, scan } from "../decisions.js";
import type { Decision, UndoCause } from "../engine/index.js";
import type { StorageHealth } from "../storageHealth.js";
import type { Store } from "../store/db.js";
import type { RecordedEvent } from "../store/events.js";
import type { UndoOutcome } from "../store/grantUndo.js";
import type { PassageWait } from "../store/passages.js";
import { markPulseDone, UNDO_PENDING_WITHIN_MS, undoUnfinishedPulses } from "../store/pulses.js";
import { recordRelayFailure } from "../store/relayFailure.js";
import type { Feature } from "./controller.js";
import type { DoorsFeature } from "./doors.js";
import type { FeedbackSink } from "./readerFeedback.js";

/** How long stop() waits for decisions and door pulses still running. */
export const STOP_GRACE_MS = 4000;

/** Zeroed decision counters. */
export const zeroCounters = (): StatusCounters => ({
  scans: 0,
  grants: 0,
  denies: 0,
  errors: 0,
  relayFailures: 0,
});

/** One reader's lane through the pipeline: its door, debouncer, counters and last scan. */
interface Lane {
  door: Door | undefined;
  debouncer: Debouncer;
  counters: StatusCounters;
  lastScan: StatusLastScan | null;
}

/** What the pipeline asks of the doors (gateway/features/doors.ts). */
export type DoorControl = Pick<
  DoorsFeature,
  "modeOf" | "passageFor" | "waitForPassage" | "dropWait" | "open" | "granted"
>;

/** Sees each decided scan and each grant's relay command, with their latencies (the /metrics histograms). */
export interface DecisionObserver {
  /** A scan was decided and recorded in `seconds`. */
  decided(decision: "grant" | "deny", reason: string, seconds: number): void;
  /** A grant's door was signalled `seconds` after its card reached the gateway. */
  relayCommanded(seconds: number): void;
}

/** What the pipeline is handed. */
export interface AccessPipelineOptions {
  config: GatewayConfig;
  store: Store;
  gatewayId: string;
  clock: () => number;
  /** The gateway's logger (component "gateway"). */
  log: Logger;
  /** The doors (modes, passage confirmation, opening). */
  doors: DoorControl;
  /** An event went into the outbox (a grant, a deny, a grant undone): the sync link may send it. */
  recorded: () => void;
  /** The status shows something new. */
  changed: () => void;
  /** Hears whether the cache could be written (a full disk is a status problem). */
  storage: StorageHealth;
  /** D6: tells the reader the decision and any undo; none in tests that do not look. */
  feedback?: FeedbackSink;
  /** An event already published was queued again (a grant undone): the sync link re-sends it at once. */
  requeued?: (seq: number) => void;
  /** Hears decisions and relay commands with their latencies; none when nobody measures. */
  observer?: DecisionObserver;
  /** A monotonic clock in ms for the observer's latencies; `performance.now` by default. */
  monotonic?: () => number;
}

/** The access pipeline as a feature. */
export class AccessPipeline implements Feature {
  readonly name = "access pipeline";
  private o: AccessPipelineOptions;
  private readonly lanes = new Map<string, Lane>();
  private readonly inFlight = new Set<Promise<void>>();
  private accepting = false;

  constructor(options: AccessPipelineOptions) {
    this.o = options;
  }

  /** Undoes the grants a crash left without their door pulse, then opens a lane per reader. */
  start(): void {
    this.undoUnfinishedPulses();
    for (const reader of this.o.config.readers) this.lanes.set(reader.id, laneOf(reader, this.o.config));
    this.accepting = true;
  }

  /**
   * Reload: the next card is decided with `config` (its doors, the offline rule). A kept reader
   * keeps its counters, last scan and, when its debounceMs stays, the card it last saw (R17);
   * decisions in flight finish with the door they began with.
   */
  reconfigure(config: GatewayConfig): void {
    const before = new Map(this.o.config.readers.map((r) => [r.id, r]));
    const lanes = config.readers.map((reader): [string, Lane] => {
      const lane = laneOf(reader, config);
      const kept = this.lanes.get(reader.id);
      if (kept === undefined) return [reader.id, lane];
      const sameWindow = before.get(reader.id)?.debounceMs === reader.debounceMs;
      return [
        reader.id,
        { ...kept, door: lane.door, debouncer: sameWindow ? kept.debouncer : lane.debouncer },
      ];
    });
    this.o = { ...this.o, config };
    this.lanes.clear();
    for (const [id, lane] of lanes) this.lanes.set(id, lane);
  }

  /** Refuses new cards and waits (≤ 4 s) for the decisions and pulses in flight. */
  async stop(): Promise<void> {
    this.accepting = false;
    await this.drain();
  }

  /** A reader's counters and last scan (zero and null before the pipeline started). */
  lane(readerId: string): { counters: StatusCounters; lastScan: StatusLastScan | null } {
    const lane = this.lanes.get(readerId);
    return {
      counters: lane ? { ...lane.counters } : zeroCounters(),
      lastScan: lane?.lastScan ? { ...lane.lastScan } : null,
    };
  }

  /** The reader's link changed: its next card is a new presentation (R17). */
  linkChanged(readerId: string): void {
    this.lanes.get(readerId)?.debouncer.reset(readerId);
  }

  /**
   * R17 → R14 → door: decides synchronously (one transaction), then pulses without blocking others.
   * `pin` (R21): the card comes from the PIN step, which applied R17 to the presentation already;
   * its `refusal` (a PIN step that failed) is recorded instead of the rules' decision, with the same
   * counters, log line and feedback.
   */
  onCard(reader: Reader, e: CardEvent, pin?: { refusal?: (now: number) => Decision }): void {
    const lane = this.lanes.get(reader.id);
    if (!this.accepting || !lane) return;
    const readerId = reader.id;
    const card = maskCard(e.card);
    const now = this.o.clock();
    const monotonic = this.o.monotonic ?? performance.now.bind(performance);
    const readAt = monotonic();
    // R17: seen either way, so a repeat right after a PIN's decision is one presentation with it.
    const fresh = lane.debouncer.accept(readerId, e.card, now);
    if (!fresh && pin === undefined) {
      this.o.log.debug({ readerId, card }, "repeated card ignored (R17)");
      return;
    }
    lane.counters.scans++;
    this.o.changed();
    const wait = lane.door && this.o.doors.passageFor(lane.door, reader.direction, now);
    const refusal = pin?.refusal;
    const event = this.record(reader, lane, e.card, now, refusal ? undefined : wait, refusal);
    if (event === undefined) return;
    const decidedIn = (monotonic() - readAt) / 1000;
    lane.lastScan = {
      at: new Date(now).toISOString(),
      card,
      decision: event.decision,
      reason: event.reason,
      eventId: event.id,
      memberId: event.memberId,
      relayFailed: false,
    };
    if (event.decision === "grant") {
      lane.counters.grants++;
      // R14: the event is committed; only now is the door signalled, and before anything else is
      // done for this scan (metrics, the sync link, the log line, the reader's light and beep).
      if (lane.door) {
        this.openFor(lane.door, reader.direction, event, wait, lane);
        // The pulse was handed to the relay driver synchronously inside openFor.
        this.o.observer?.relayCommanded((monotonic() - readAt) / 1000);
      }
    } else lane.counters.denies++;
    // D6: the member hears and sees the outcome before the gateway's own bookkeeping.
    this.o.feedback?.decided(event);
    this.o.observer?.decided(event.decision, event.reason, decidedIn);
    // The event is in the outbox (R14): let the sync link send it.
    this.o.recorded();
    // Only when it is written: the member's name is one more read of the cache.
    if (this.o.log.isLevelEnabled("info"))
      this.o.log.info(
        decisionLogFields(this.o.store, event, lane.door?.id ?? null, card),
        event.decision === "grant" ? "scan granted" : "scan denied",
      );
  }

  /**
   * Opens the door for a recorded grant (a scan, or the front desk's admit and open): waits for its
   * passage when it has a wait (D2; from now, so a passage during the pulse counts), tells the
   * door of the grant (firstPersonIn), pulses; a relay failure undoes the grant. Resolves whether
   * the door opened.
   */
  openFor(
    door: Door,
    direction: "in" | "out",
    event: RecordedEvent,
    wait?: PassageWait,
    lane?: Lane,
  ): Promise<boolean> {
    if (wait) this.o.doors.waitForPassage(event, wait);
    this.o.doors.granted(door, event);
    const opened = this.openDoor(door, direction, event, lane);
    this.track(opened.then(() => undefined));
    return opened;
  }

  /** The one point where a grant is undone (its relay failed, or nobody passed): logged, queued for sync, shown. */
  grantUndone(event: RecordedEvent, outcome: UndoOutcome, cause: UndoCause): void {
    this.o.recorded();
    this.o.requeued?.(event.seq);
    this.o.changed();
    this.o.log.warn(
      { eventId: event.id, readerId: event.readerId, refunded: outcome.refunded, cause },
      cause === "no_passage" ? "grant undone: nobody passed" : "grant undone after relay failure",
    );
    // D6: the member at the reader hears that the grant did not stand.
    this.o.feedback?.undone(event, cause);
  }

  /** The door mode a scan at this lane's door is decided in (D3). */
  private modeAt(lane: Lane) {
    return lane.door === undefined ? undefined : this.o.doors.modeOf(lane.door.id);
  }

  /**
   * R14: decides and records the scan. A decision that fails is logged with its stack, counted, and
   * recorded as a deny `error` all the same; undefined when not even that could be written.
   */
  private record(
    reader: Reader,
    lane: Lane,
    cardRead: string,
    now: number,
    wait: PassageWait | undefined,
    refusal?: (now: number) => Decision,
  ): RecordedEvent | undefined {
    const readerId = reader.id;
    const card = maskCard(cardRead);
    const failed = (err: unknown) => {
      lane.counters.errors++;
      this.o.log.error({ err, readerId, card }, "scan failed");
    };
    const mode = this.modeAt(lane);
    const req = {
      card: cardRead,
      area: reader.area,
      direction: reader.direction,
      readerId,
      ...(mode === undefined ? {} : { doorMode: mode }),
    };
    const { store, gatewayId, config, storage } = this.o;
    try {
      const event = refusal
        ? recordDecided(store, refusal(now), gatewayId)
        : scan(store, req, now, gatewayId, {
            offline: config.sync.enabled ? config.sync.offline : null,
            door: lane.door !== undefined,
            onError: failed,
            ...(wait ? { passage: wait } : {}),
          });
      storage.cacheWritten();
      return event;
    } catch (err) {
      // Before the decision (the stored site lost this reader's area) or while recording it.
      failed(err);
      this.storageFailed(err);
    }
    try {
      const event = recordError(store, req, now, gatewayId);
      storage.cacheWritten();
      return event;
    } catch (err) {
      this.o.log.error({ err, readerId, card }, "could not record the failed scan as a deny");
      this.storageFailed(err);
      return undefined;
    }
  }

  /** A write to the cache failed: when the storage is at fault, the status names it at once. */
  private storageFailed(err: unknown): void {
    if (this.o.storage.cacheFailed(err)) this.o.changed();
  }

  private async openDoor(
    door: Door,
    direction: "in" | "out",
    event: RecordedEvent,
    lane: Lane | undefined,
  ): Promise<boolean> {
    const where = { readerId: event.readerId, doorId: door.id, relayId: door.relay, direction };
    try {
      const how = await this.o.doors.open(door, direction);
      this.o.log.debug({ ...where, how }, "door opened");
    } catch (err) {
      this.relayFailed(lane, event, where, err);
      return false;
    }
    try {
      markPulseDone(this.o.store, event.seq);
    } catch (err) {
      // Left pending: a start within UNDO_PENDING_WITHIN_MS would undo a grant whose door opened.
      this.o.log.error({ err, eventId: event.id }, "could not record the door pulse as done");
      this.storageFailed(err);
    }
    return true;
  }

  /** The door did not open: counted, shown on the last scan, logged, and the grant undone. */
  private relayFailed(lane: Lane | undefined, event: RecordedEvent, where: object, err: unknown): void {
    if (lane) lane.counters.relayFailures++;
    if (lane?.lastScan?.eventId === event.id) lane.lastScan.relayFailed = true;
    this.o.changed();
    this.o.log.error({ err, ...where, eventId: event.id }, "door did not open: relay failed");
    this.undoGrant(event);
  }

  /** The grants the last run decided but never saw through their door pulse (store/pulses.ts). */
  private undoUnfinishedPulses(): void {
    const { undone, unknown } = undoUnfinishedPulses(this.o.store, this.o.clock());
    for (const { event, outcome } of undone) {
      this.o.doors.dropWait(event.seq);
      this.o.log.warn(
        { eventId: event.id, readerId: event.readerId, refunded: outcome.refunded },
        "grant undone: the gateway stopped before its door pulse completed",
      );
    }
    if (unknown.length > 0)
      this.o.log.warn(
        { eventIds: unknown.map((e) => e.id), withinMs: UNDO_PENDING_WITHIN_MS },
        "grants left charged: the gateway stopped before their door pulses completed, too long ago to undo",
      );
    if (undone.length > 0) this.o.recorded();
  }

  /** The member did not get in: refund, unrecord the visit, mark the event for sync. */
  private undoGrant(event: RecordedEvent): void {
    try {
      const outcome = recordRelayFailure(this.o.store, event, this.o.clock());
      this.o.doors.dropWait(event.seq);
      this.grantUndone(event, outcome, "relay_failed");
    } catch (err) {
      this.o.log.error({ err, eventId: event.id }, "could not record the relay failure");
      this.storageFailed(err);
    }
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Waits for work in flight, at most STOP_GRACE_MS. */
  private async drain(): Promise<void> {
    if (this.inFlight.size === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), STOP_GRACE_MS);
    });
    const done = await Promise.race([
      Promise.allSettled([...this.inFlight]).then(() => "done" as const),
      timeout,
    ]);
    clearTimeout(timer);
    if (done === "timeout")
      this.o.log.warn({ inFlight: this.inFlight.size }, "stopping with pulses still in flight");
  }
}

/** A fresh lane for a reader: its door in `config`, its debounce window (R17), zero counters. */
function laneOf(reader: Reader, config: GatewayConfig): Lane {
  return {
    door: reader.door === undefined ? undefined : config.doors.find((d) => d.id === reader.door),
    debouncer: new Debouncer(reader.debounceMs),
    counters: zeroCounters(),
    lastScan: null,
  };
}

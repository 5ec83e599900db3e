/**
 * What every input driver offers the gateway (doors.md D1), and the shared part: the level filter
 * (activeLow, debounce, unknown while down), counters, rejects and health. A driver only turns its
 * device's messages or replies into readings, and says when the device is up or down.
 */
import type { Logger } from "pino";
import type { Scheduler } from "../../runtime/scheduler.js";
import { RejectLog } from "../readers/rejectLog.js";
import { Listeners } from "../transport/listeners.js";
import type { HealthState } from "../transport/reconnecting.js";
import { type InputLevel, LevelFilter } from "./levelFilter.js";

/** Why a message or reply was not a level. */
export type InputRejectCode = "bad_json" | "bad_format" | "too_long" | "bad_frame";

const HINTS: Record<InputRejectCode, string> = {
  bad_json: "a payload that is not JSON: is another device publishing on this topic?",
  bad_format: "a payload of another shape than this driver reads: check the device's settings",
  too_long: "a payload far larger than a level: is another device publishing on this topic?",
  bad_frame: "a reply that does not answer the poll: another device with the same unit id?",
};

/** An input's health: its link, and since when (and why) its device is unreachable. */
export interface InputHealth {
  inputId: string;
  /** The link to the device (broker or serial line). */
  state: HealthState;
  /** When the link state began (ms). */
  since: number;
  /** Why the level is unknown (link down, device offline, no answer); undefined while readable. */
  reason: string | undefined;
  /** When the device became unreachable (ms); undefined while reachable (D4 input_fault after 10 s). */
  downSince: number | undefined;
}

/** A counted change of an input's level. */
export interface InputChange {
  inputId: string;
  level: InputLevel;
  /** The instant of the edge (ms): when the new level first appeared. */
  at: number;
}

/** What an input driver reports. */
export interface InputEvents {
  level: (change: InputChange) => void;
  state: (health: InputHealth) => void;
  rejected: (e: { inputId: string; error: InputRejectCode; detail: string }) => void;
}

/** Running totals since start. */
export interface InputCounters {
  /** Readings taken from the device (messages or poll replies that carried a level). */
  readings: number;
  /** Counted changes of level (after debounce), unknown included. */
  changes: number;
  rejected: Partial<Record<InputRejectCode, number>>;
  /** Times the device became unreachable. */
  downs: number;
}

/** An input: a digital signal read from a device. */
export interface InputDriver {
  readonly id: string;
  /** Starts reading; later calls do nothing. */
  start(): void;
  /** Stops reading; no events follow. */
  stop(): Promise<void>;
  /** The counted level now. */
  level(): InputLevel;
  /** When the counted level began (ms). */
  levelSince(): number;
  health(): InputHealth;
  counters(): InputCounters;
  /** Subscribes to "level", "state" or "rejected"; returns a function that unsubscribes. */
  on<K extends keyof InputEvents>(event: K, listener: InputEvents[K]): () => void;
}

/** What every input driver is handed besides its config. */
export interface InputBaseOptions {
  id: string;
  activeLow: boolean;
  debounceMs: number;
  scheduler: Scheduler;
  clock: () => number;
  logger: Logger;
}

/** The shared part of the input drivers; subclasses feed it readings, rejects and up/down. */
export abstract class BaseInput implements InputDriver {
  readonly id: string;
  protected readonly log: Logger;
  protected readonly clock: () => number;
  protected readonly scheduler: Scheduler;
  private readonly filter: LevelFilter;
  private readonly listeners = new Listeners<InputEvents>();
  private readonly rejects: RejectLog<InputRejectCode>;
  private readonly totals: InputCounters = { readings: 0, changes: 0, rejected: {}, downs: 0 };
  private downSince: number | undefined;
  private downReason: string | undefined;
  protected stopped = false;

  constructor(options: InputBaseOptions) {
    this.id = options.id;
    this.log = options.logger;
    this.clock = options.clock;
    this.scheduler = options.scheduler;
    this.rejects = new RejectLog(options.logger, options.clock, HINTS);
    this.filter = new LevelFilter({
      activeLow: options.activeLow,
      debounceMs: options.debounceMs,
      scheduler: options.scheduler,
      clock: options.clock,
      onChange: (level, at) => {
        this.totals.changes++;
        this.log.debug({ level, at }, "input level changed");
        this.listeners.emit("level", { inputId: this.id, level, at });
      },
    });
    // Until the device has said something, it is as good as unreachable.
    this.downSince = options.clock();
    this.downReason = "no reading yet";
  }

  abstract start(): void;
  abstract stop(): Promise<void>;
  /** The link's state (broker or serial line) and since when. */
  protected abstract linkState(): { state: HealthState; since: number };

  level(): InputLevel {
    return this.filter.level();
  }

  levelSince(): number {
    return this.filter.since();
  }

  health(): InputHealth {
    const link = this.linkState();
    return { inputId: this.id, ...link, reason: this.downReason, downSince: this.downSince };
  }

  counters(): InputCounters {
    return { ...this.totals, rejected: { ...this.totals.rejected } };
  }

  on<K extends keyof InputEvents>(event: K, listener: InputEvents[K]): () => void {
    return this.listeners.on(event, listener);
  }

  /** A level read from the device (before activeLow); the device is reachable. */
  protected reading(active: boolean): void {
    if (this.stopped) return;
    this.totals.readings++;
    if (this.downSince !== undefined) {
      this.downSince = undefined;
      this.downReason = undefined;
      this.log.info({}, "input readable again");
      this.listeners.emit("state", this.health());
    }
    this.filter.reading(active);
  }

  /** The device is unreachable (D1: the level is unknown at once); `reason` says why. */
  protected down(reason: string): void {
    if (this.stopped) return;
    this.filter.down();
    if (this.downSince !== undefined && this.downReason === reason) return;
    if (this.downSince === undefined) {
      this.downSince = this.clock();
      this.totals.downs++;
      this.log.warn({ reason }, "input unreachable: level unknown");
    }
    this.downReason = reason;
    this.listeners.emit("state", this.health());
  }

  /** The link is up but the device has not given a level yet: the level stays unknown, for this reason. */
  protected awaitingReading(): void {
    if (this.stopped || this.downSince === undefined) return;
    this.downReason = "no reading yet";
    this.listeners.emit("state", this.health());
  }

  /** A message or reply that carried no usable level: counted and logged (rate-limited), never thrown. */
  protected reject(error: InputRejectCode, detail: string, context: Record<string, string> = {}): "rejected" {
    this.totals.rejected[error] = (this.totals.rejected[error] ?? 0) + 1;
    this.rejects.report(error, detail, context);
    this.listeners.emit("rejected", { inputId: this.id, error, detail });
    return "rejected";
  }

  /** Ends the level filter's timers and marks the driver stopped. */
  protected halt(): void {
    this.stopped = true;
    this.filter.cancel();
  }

  /** Tells listeners the link changed (the status shows it). */
  protected linkChanged(): void {
    if (!this.stopped) this.listeners.emit("state", this.health());
  }
}

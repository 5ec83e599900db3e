/**
 * The doors as a feature (doors.md D2–D4, D8): their modes held on the relays, passage
 * confirmation, alarms, driven by the inputs (D1), the clock and the front desk. Started before
 * the relays, so every relay opens straight into its door's stored mode, and before the readers.
 */
import { isDeepStrictEqual } from "node:util";
import type { Logger } from "pino";
import { type Door, doorChannel, type GatewayConfig } from "../../config/gateway.js";
import type { DoorEvent, DoorMode } from "../../config/protocol/events.js";
import type { StatusDoor } from "../../config/statusDocument.js";
import { isoTime } from "../../config/statusDocument.js";
import type { RestingChannel } from "../../drivers/relays/relayDriver.js";
import type { Scheduler } from "../../runtime/scheduler.js";
import { siteModel } from "../decisions.js";
import type { Store } from "../store/db.js";
import type { RecordedEvent } from "../store/events.js";
import type { UndoOutcome } from "../store/grantUndo.js";
import type { PassageWait } from "../store/passages.js";
import type { Feature } from "./controller.js";
import { DoorAlarms } from "./doorAlarms.js";
import { DoorModes, isReleased } from "./doorModes.js";
import type { Staff } from "./frontDeskActions.js";
import type { InputSignals } from "./inputSignals.js";
import { PassageWaits } from "./passageWaits.js";

/** How often schedules and command untils are looked at. */
export const DOOR_TICK_MS = 1000;

/** The relay operations a door needs. */
export interface DoorRelays {
  pulse(relayId: string, channel: number, ms: number): Promise<void>;
  hold(relayId: string, channel: number, on: boolean): Promise<void>;
}

/** What the doors feature is handed. */
export interface DoorsOptions {
  config: GatewayConfig;
  store: Store;
  gatewayId: string;
  clock: () => number;
  scheduler: Scheduler;
  /** The gateway's logger (component "gateway"). */
  log: Logger;
  inputs: InputSignals;
  relays: DoorRelays;
  /** An event went into the outbox: the sync link may send it. */
  recorded: () => void;
  /** An event already published was queued again (a grant settled by its passage): re-sent at once. */
  requeued?: (seq: number) => void;
  /** The status shows something new. */
  changed: () => void;
  /** D2: a grant was undone for want of a passage (the access pipeline's "grant undone" point). */
  undone: (event: RecordedEvent, outcome: UndoOutcome) => void;
}

/** The relay level of a door channel in a mode: released = on for `releaseOn: energise`, off for `de-energise`. */
export function channelOn(door: Door, mode: DoorMode): boolean {
  return isReleased(mode) === (door.releaseOn === "energise");
}

/** The channels of a door (direction A, and B when it has one). */
function channelsOf(door: Door): number[] {
  return door.channelB === undefined ? [door.channel] : [door.channel, door.channelB];
}

/** The doors feature. */
export class DoorsFeature implements Feature {
  readonly name = "doors";
  readonly modes: DoorModes;
  readonly alarms: DoorAlarms;
  private o: DoorsOptions;
  private readonly waits: PassageWaits;
  private unsubscribe: (() => void) | undefined;
  private tickTimer: unknown;
  private running = false;

  constructor(options: DoorsOptions) {
    this.o = options;
    const { config, store, gatewayId, log, clock, scheduler } = options;
    const recorded = () => this.recorded();
    this.modes = new DoorModes({
      doors: config.doors,
      fireInputs: config.fireInputs,
      store,
      gatewayId,
      log,
      calendar: () => this.calendar(),
      apply: (door, mode) => this.apply(door, mode),
      recorded,
    });
    this.alarms = new DoorAlarms({
      doors: config.doors,
      fireInputs: config.fireInputs,
      store,
      gatewayId,
      clock,
      scheduler,
      log,
      released: (doorId) => isReleased(this.modes.mode(doorId)),
      recorded,
    });
    this.waits = new PassageWaits({
      store,
      clock,
      scheduler,
      log,
      undone: (event, outcome) => options.undone(event, outcome),
      settled: (event) => {
        log.info({ eventId: event.id }, "passage seen: grant settled");
        recorded();
        options.requeued?.(event.seq);
      },
      tailgate: (doorId, input) => this.alarms.tailgate(doorId, input),
    });
  }

  /**
   * Reads the stored modes, follows the fire inputs as they read now (D3), decides the grants a
   * restart left waiting (D2), arms the alarms and starts listening; touches no relay itself (they
   * open into their mode through restingStates).
   */
  start(): void {
    const { inputs, clock, config } = this.o;
    this.modes.load();
    const now = clock();
    for (const f of config.fireInputs) this.modes.fire(f.input, inputs.level(f.input), now);
    this.modes.tick(now);
    this.waits.restore();
    this.alarms.start((id) => inputs.level(id));
    this.unsubscribe = inputs.onChange((id, level, at) => this.onInput(id, level, at));
    this.running = true;
    this.scheduleTick();
  }

  /** Stops listening; the relays stay as they are (an emergency is never undone by a stop, D3). */
  stop(): void {
    this.running = false;
    this.unsubscribe?.();
    this.o.scheduler.clearTimeout(this.tickTimer);
    this.waits.stop();
    this.alarms.stop();
  }

  /**
   * Reload: the doors and fire inputs of `config` from now on. The timers stop and start again
   * (a held-open count starts over); the modes are read again as stored (a kept door keeps its
   * mode), and each added or changed door's channels are put into its mode, so a door moved to
   * another channel or relay holds there at once; an untouched door's relay is not told anything
   * (a pulse in flight there goes on). A removed door's channels are left locked.
   */
  reconfigure(config: GatewayConfig): void {
    const before = new Map(this.o.config.doors.map((d) => [d.id, d]));
    const removed = [...before.values()].filter((d) => !config.doors.some((n) => n.id === d.id));
    const touched = config.doors.filter((d) => !isDeepStrictEqual(before.get(d.id), d));
    this.stop();
    this.o = { ...this.o, config };
    this.modes.setDoors(config.doors, config.fireInputs);
    this.alarms.setDoors(config.doors, config.fireInputs);
    for (const door of removed) this.hold(door, "normal");
    this.start();
    for (const door of touched) this.hold(door, this.modes.mode(door.id));
  }

  /** D3: the door's mode now. */
  modeOf(doorId: string): DoorMode {
    return this.modes.mode(doorId);
  }

  /** D3: what a relay's door channels are put to on every (re)open of its link: each door's mode (D8). */
  restingStates(relayId: string): RestingChannel[] {
    const states = new Map<number, boolean>();
    for (const door of this.o.config.doors.filter((d) => d.relay === relayId))
      for (const channel of channelsOf(door)) states.set(channel, channelOn(door, this.modes.mode(door.id)));
    return [...states].map(([channel, on]) => ({ channel, on }));
  }

  /** D2: the wait of a grant at this door and direction, when the door confirms passages and is not held released. */
  passageFor(door: Door, direction: "in" | "out", now: number): PassageWait | undefined {
    const input = direction === "out" ? (door.passageB ?? door.passage) : door.passage;
    if (input === undefined || isReleased(this.modes.mode(door.id))) return undefined;
    return { doorId: door.id, input, deadline: now + door.passageTimeoutSeconds * 1000 };
  }

  /** A provisional grant waits for its passage from now on (D2). */
  waitForPassage(event: RecordedEvent, wait: PassageWait): void {
    this.waits.add(event, wait);
    this.o.changed();
  }

  /** A grant undone because its relay failed waits for no passage (D2). */
  dropWait(seq: number): void {
    this.waits.drop(seq);
    this.o.changed();
  }

  /**
   * Opens the door once for a grant or a remote open: pulses its channel for the direction
   * (`held` when its mode already holds it released). Rejects when the relay did not open it.
   */
  async open(door: Door, direction: "in" | "out"): Promise<"pulsed" | "held"> {
    this.alarms.excuse(door.id, this.o.clock());
    if (isReleased(this.modes.mode(door.id))) return "held";
    const channel = doorChannel(door, direction);
    if (door.releaseOn === "energise") await this.o.relays.pulse(door.relay, channel, door.pulseMs);
    else await this.pulseDeEnergised(door, channel);
    return "pulsed";
  }

  /** D3 firstPersonIn: a grant was recorded at the door. */
  granted(door: Door, event: RecordedEvent): void {
    this.modes.granted(door.id, event.memberId, event.direction, this.o.clock());
  }

  /** D5 door: a command's mode for the door (until an instant, or null). */
  command(
    doorId: string,
    mode: Exclude<DoorMode, "emergency">,
    until: number | null,
    staff: Staff,
  ): DoorEvent {
    return this.modes.command(doorId, mode, until, staff, this.o.clock());
  }

  /** D5 emergency: release (on) or reset (off) the named doors, all when none; a reset waits for the fire panel. */
  emergency(on: boolean, doorIds: readonly string[] | undefined, staff: Staff): DoorEvent[] {
    return this.modes.emergency(
      on,
      doorIds,
      staff,
      this.o.clock(),
      (input) => this.o.inputs.level(input) === "active",
    );
  }

  /** Each door as status shows it (D3 mode, D4 alarms, D2 grants waiting). */
  status(): StatusDoor[] {
    return this.o.config.doors.map((door) => {
      const s = this.modes.state(door.id);
      return {
        id: door.id,
        mode: s.mode,
        source: s.source,
        since: isoTime(s.since),
        until: isoTime(s.until),
        operator: s.operator,
        reason: s.reason,
        alarms: this.alarms.raisedAt(door.id),
        waiting: this.waits.waitingAt(door.id),
      };
    });
  }

  /** D4: the raised alarms as status problems. */
  problems(): string[] {
    return this.alarms.problems();
  }

  /** The site's zone and holidays for the schedules, or null before a site is imported. */
  private calendar(): { zone: string; holidays: Set<string> } | null {
    if (!this.o.store.siteConfig()) return null;
    const site = siteModel(this.o.store);
    return { zone: site.zone, holidays: site.holidays };
  }

  private onInput(id: string, level: "active" | "inactive" | "unknown", at: number): void {
    // D3: a fire input first (within 100 ms of the edge: the relays are told synchronously).
    this.modes.fire(id, level, at);
    this.alarms.input(id, level, at);
    if (level === "active")
      for (const door of this.o.config.doors)
        if (id === door.passage || id === door.passageB) this.waits.passage(id, door.id);
    this.o.changed();
  }

  /** Holds the door's channels as the mode says; a relay that is down gets it when it comes back (D8). */
  private apply(door: Door, mode: DoorMode): void {
    this.alarms.excuse(door.id, this.o.clock());
    this.hold(door, mode);
    this.o.changed();
  }

  /** Puts the door's channels into the mode (a relay that is down takes it when it opens, D8). */
  private hold(door: Door, mode: DoorMode): void {
    const on = channelOn(door, mode);
    for (const channel of channelsOf(door))
      this.o.relays.hold(door.relay, channel, on).catch((err: unknown) => {
        const fields = { err, doorId: door.id, relayId: door.relay, channel, mode };
        if (this.running)
          this.o.log.warn(fields, "door mode not applied yet: the relay takes it when it opens");
        else this.o.log.debug(fields, "door mode applied when the relay opens");
      });
  }

  /** A pulse of a fail-safe lock (`releaseOn: de-energise`): off for pulseMs, then on again. */
  private async pulseDeEnergised(door: Door, channel: number): Promise<void> {
    await this.o.relays.hold(door.relay, channel, false);
    await new Promise<void>((resolve) => this.o.scheduler.setTimeout(resolve, door.pulseMs));
    await this.o.relays.hold(door.relay, channel, channelOn(door, this.modes.mode(door.id)));
  }

  private recorded(): void {
    this.o.recorded();
    this.o.changed();
  }

  private scheduleTick(): void {
    this.tickTimer = this.o.scheduler.setTimeout(() => {
      if (!this.running) return;
      this.modes.tick(this.o.clock());
      this.scheduleTick();
    }, DOOR_TICK_MS);
  }
}

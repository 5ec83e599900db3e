/**
 * doors.md D4: a door's alarms — held_open, forced, tailgate, input_fault — each raised once and
 * cleared once, as `alarm` events, and shown in status while raised.
 */
import type { Logger } from "pino";
import type { FireInput } from "../../config/doors.js";
import type { Door } from "../../config/gateway.js";
import type { AlarmKind } from "../../config/protocol/events.js";
import type { Scheduler } from "../../runtime/scheduler.js";
import type { Store } from "../store/db.js";
import { recordEvent } from "../store/events.js";
import type { InputLevel } from "./inputSignals.js";

/** D4: an input unreachable this long is an input_fault. */
export const INPUT_FAULT_MS = 10_000;

/** What the alarms are handed. */
export interface DoorAlarmsOptions {
  doors: readonly Door[];
  fireInputs: readonly FireInput[];
  store: Store;
  gatewayId: string;
  clock: () => number;
  scheduler: Scheduler;
  log: Logger;
  /** Whether the door's mode holds it released (an opening then is no forced entry, nor held open). */
  released: (doorId: string) => boolean;
  /** An alarm event went into the outbox; the status changed. */
  recorded: () => void;
}

/** A raised alarm: what, where, and the input that tripped it. */
interface Raised {
  alarm: AlarmKind;
  door: string | null;
  input: string | null;
}

/** The alarms of every door. */
export class DoorAlarms {
  private o: DoorAlarmsOptions;
  private readonly raised = new Map<string, Raised>();
  /** D4: the last grant, remote open, REX press or mode change at each door (ms). */
  private readonly excused = new Map<string, number>();
  private readonly heldTimers = new Map<string, unknown>();
  private readonly faultTimers = new Map<string, unknown>();
  /** Every input the doors read, with its door (null for a fire panel's contact). */
  private readonly inputs = new Map<string, string | null>();

  constructor(options: DoorAlarmsOptions) {
    this.o = options;
  }

  /** Arms an input_fault timer for every input that is unknown now, and a held-open timer for every open door. */
  start(levelOf: (input: string) => InputLevel): void {
    for (const door of this.o.doors)
      for (const input of [door.passage, door.passageB, door.contact, door.rex])
        if (input !== undefined) this.inputs.set(input, door.id);
    for (const f of this.o.fireInputs) if (!this.inputs.has(f.input)) this.inputs.set(f.input, null);
    for (const [input] of this.inputs) if (levelOf(input) === "unknown") this.armFault(input);
    for (const door of this.o.doors)
      if (door.contact !== undefined && levelOf(door.contact) === "active") this.armHeld(door);
  }

  /** Clears every timer (raised alarms stay raised in the event history). */
  stop(): void {
    for (const t of [...this.heldTimers.values(), ...this.faultTimers.values()])
      this.o.scheduler.clearTimeout(t);
    this.heldTimers.clear();
    this.faultTimers.clear();
  }

  /**
   * Reload (after stop(), before start()): the doors and fire inputs from now on. The alarms of the
   * doors and inputs that stay stay raised; those of removed ones are dropped with them.
   */
  setDoors(doors: readonly Door[], fireInputs: readonly FireInput[]): void {
    this.o = { ...this.o, doors, fireInputs };
    this.inputs.clear();
    const doorIds = new Set(doors.map((d) => d.id));
    const inputIds = new Set(fireInputs.map((f) => f.input));
    for (const [key, r] of [...this.raised])
      if (r.door === null ? r.input === null || !inputIds.has(r.input) : !doorIds.has(r.door))
        this.raised.delete(key);
  }

  /** D4: a grant, remote open, REX press or mode change: an opening within forcedGraceSeconds is not forced. */
  excuse(doorId: string, at: number): void {
    this.excused.set(doorId, at);
  }

  /** An input's level changed. */
  input(inputId: string, level: InputLevel, at: number): void {
    if (!this.inputs.has(inputId)) return;
    const doorId = this.inputs.get(inputId) ?? null;
    if (level === "unknown") this.armFault(inputId);
    else this.inputBack(inputId, doorId);
    const door = this.o.doors.find((d) => d.id === doorId);
    if (door === undefined) return;
    if (inputId === door.rex && level === "active") this.excuse(door.id, at);
    if (inputId === door.contact) this.contact(door, level, at);
  }

  /** D4 tailgate: a single occurrence, raised and cleared at once. */
  tailgate(doorId: string, input: string): void {
    this.raise({ alarm: "tailgate", door: doorId, input });
    this.clear("tailgate", doorId, input);
  }

  /** The alarms raised at a door now. */
  raisedAt(doorId: string): AlarmKind[] {
    return [...this.raised.values()].filter((r) => r.door === doorId).map((r) => r.alarm);
  }

  /** D4: every raised alarm as a status problem. */
  problems(): string[] {
    return [...this.raised.values()].map((r) => {
      const where = r.door === null ? `input ${r.input}` : `door ${r.door}`;
      return `${where}: alarm ${r.alarm}${r.alarm === "input_fault" ? ` (input ${r.input} unreachable)` : ""}`;
    });
  }

  /** D4 forced and held_open, from the door's contact. */
  private contact(door: Door, level: InputLevel, at: number): void {
    if (level === "active") {
      const excusedAt = this.excused.get(door.id);
      const grace = door.forcedGraceSeconds * 1000;
      const excused = this.o.released(door.id) || (excusedAt !== undefined && at - excusedAt <= grace);
      if (!excused) this.raise({ alarm: "forced", door: door.id, input: door.contact ?? null });
      this.armHeld(door);
      return;
    }
    // Closed, or unknown: no held-open count without a reading (a contact unknown raises no alarm).
    this.o.scheduler.clearTimeout(this.heldTimers.get(door.id));
    this.heldTimers.delete(door.id);
    if (level === "inactive") {
      this.clear("forced", door.id, door.contact ?? null);
      this.clear("held_open", door.id, door.contact ?? null);
    }
  }

  private armHeld(door: Door): void {
    this.o.scheduler.clearTimeout(this.heldTimers.get(door.id));
    const timer = this.o.scheduler.setTimeout(() => {
      this.heldTimers.delete(door.id);
      // A door held released (free passage, emergency) may stand open.
      if (!this.o.released(door.id))
        this.raise({ alarm: "held_open", door: door.id, input: door.contact ?? null });
    }, door.heldOpenSeconds * 1000);
    this.heldTimers.set(door.id, timer);
  }

  private armFault(input: string): void {
    if (
      this.faultTimers.has(input) ||
      this.raised.has(key("input_fault", this.inputs.get(input) ?? null, input))
    )
      return;
    const timer = this.o.scheduler.setTimeout(() => {
      this.faultTimers.delete(input);
      this.raise({ alarm: "input_fault", door: this.inputs.get(input) ?? null, input });
    }, INPUT_FAULT_MS);
    this.faultTimers.set(input, timer);
  }

  private inputBack(input: string, doorId: string | null): void {
    this.o.scheduler.clearTimeout(this.faultTimers.get(input));
    this.faultTimers.delete(input);
    this.clear("input_fault", doorId, input);
  }

  /** Raises an alarm once: a raised one is not raised again. */
  private raise(r: Raised): void {
    const k = key(r.alarm, r.door, r.input);
    if (this.raised.has(k)) return;
    this.raised.set(k, r);
    this.record(r, "raised");
  }

  private clear(alarm: AlarmKind, door: string | null, input: string | null): void {
    const k = key(alarm, door, input);
    const r = this.raised.get(k);
    if (r === undefined) return;
    this.raised.delete(k);
    this.record(r, "cleared");
  }

  private record(r: Raised, state: "raised" | "cleared"): void {
    const fields = { alarm: r.alarm, doorId: r.door, input: r.input };
    try {
      const event = { kind: "alarm" as const, at: new Date(this.o.clock()).toISOString(), ...r, state };
      // The event and its outbox row together.
      this.o.store.db.transaction(() => recordEvent(this.o.store, this.o.gatewayId, event)).immediate();
    } catch (err) {
      this.o.log.error({ err, ...fields, state }, "could not record the alarm");
    }
    if (state === "raised") this.o.log.warn(fields, "door alarm raised");
    else this.o.log.info(fields, "door alarm cleared");
    this.o.recorded();
  }
}

/** An alarm's identity: one of each kind per door and input. */
function key(alarm: AlarmKind, door: string | null, input: string | null): string {
  return `${alarm}\u0000${door ?? ""}\u0000${input ?? ""}`;
}

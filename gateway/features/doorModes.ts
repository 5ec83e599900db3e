/**
 * doors.md D3: every door's mode and what holds it — commands (with until), the weekly schedule
 * (with firstPersonIn), fire inputs — resolved by the engine (emergency > command > schedule >
 * normal), stored, applied to the relay, and recorded as a `door` event on every change (D8: every
 * change of a door's physical state says who or what caused it).
 */
import type { Logger } from "pino";
import type { FireInput } from "../../config/doors.js";
import type { Door } from "../../config/gateway.js";
import type { DoorEvent, DoorMode, DoorModeSource } from "../../config/protocol/events.js";
import { localNow } from "../engine/clock.js";
import { openWindowStart, resolveMode, scheduleOpen } from "../engine/doorModes.js";
import type { Store } from "../store/db.js";
import {
  type DoorState,
  hasLockdownAccess,
  initialDoorState,
  loadDoorStates,
  saveDoorState,
} from "../store/doorState.js";
import { recordEvent } from "../store/events.js";
import { unknownDoor } from "./frontDesk.js";
import { FrontDeskRefusal, type Staff } from "./frontDeskActions.js";
import type { InputLevel } from "./inputSignals.js";

/** The site's zone and holidays, for schedules (null before a site is imported: no schedule opens). */
export type SiteCalendar = () => { zone: string; holidays: Set<string> } | null;

/** What the door modes are handed. */
export interface DoorModesOptions {
  doors: readonly Door[];
  fireInputs: readonly FireInput[];
  store: Store;
  gatewayId: string;
  log: Logger;
  calendar: SiteCalendar;
  /** Puts the door's relay into the mode (held released, or locked). */
  apply: (door: Door, mode: DoorMode) => void;
  /** A door event went into the outbox. */
  recorded: () => void;
}

/** Why a mode is re-resolved: the source, who and why, recorded on the event when the mode changes. */
interface Cause {
  source: DoorModeSource;
  operator: string | null;
  reason: string;
  /** Record an event even when the mode stays (a command: staff acted). */
  always?: boolean;
  /** Nothing held changed (a clock tick): store only when the mode changes. */
  tick?: boolean;
}

/** Whether a mode holds the door released (its relay in the release state). */
export function isReleased(mode: DoorMode): boolean {
  return mode === "emergency" || mode === "unlocked";
}

/** The doors' modes; the doors feature feeds it inputs, commands, grants and the clock. */
export class DoorModes {
  private o: DoorModesOptions;
  private readonly states = new Map<string, DoorState>();

  constructor(options: DoorModesOptions) {
    this.o = options;
  }

  /** Reads the stored states (a door never stored is normal); touches no relay. */
  load(): void {
    const stored = loadDoorStates(this.o.store);
    for (const door of this.o.doors) this.states.set(door.id, stored.get(door.id) ?? initialDoorState());
  }

  /** Reload: the doors and fire inputs from now on; a removed door's state is forgotten (its stored row stays). */
  setDoors(doors: readonly Door[], fireInputs: readonly FireInput[]): void {
    this.o = { ...this.o, doors, fireInputs };
    const kept = new Set(doors.map((d) => d.id));
    for (const id of [...this.states.keys()]) if (!kept.has(id)) this.states.delete(id);
  }

  /** The door's mode now (normal for an unknown door). */
  mode(doorId: string): DoorMode {
    return this.states.get(doorId)?.mode ?? "normal";
  }

  /** The door's state (a copy). */
  state(doorId: string): DoorState {
    return { ...(this.states.get(doorId) ?? initialDoorState()) };
  }

  /** D3: schedules opening and closing, and commands whose until has passed. */
  tick(now: number): void {
    for (const door of this.o.doors) {
      const s = this.states.get(door.id);
      if (!s) continue;
      if (s.command?.until != null && now >= s.command.until) {
        const until = new Date(s.command.until).toISOString();
        s.command = null;
        this.update(door, now, {
          source: "until",
          operator: null,
          reason: `the command's until ${until} passed`,
        });
      } else
        this.update(door, now, { source: "schedule", operator: null, reason: "weekly schedule", tick: true });
    }
  }

  /** D5 door: a command's mode (normal without until: back to the schedule). */
  command(
    doorId: string,
    mode: Exclude<DoorMode, "emergency">,
    until: number | null,
    staff: Staff,
    now: number,
  ): DoorEvent {
    const door = this.door(doorId);
    const s = this.states.get(door.id) as DoorState;
    if (until !== null && until <= now)
      throw new FrontDeskRefusal(
        "until_passed",
        `until ${new Date(until).toISOString()} is not in the future`,
      );
    s.command = mode === "normal" && until === null ? null : { mode, until };
    const event = this.update(door, now, {
      source: "command",
      operator: staff.operator,
      reason: staff.reason,
      always: true,
    });
    return event as DoorEvent;
  }

  /**
   * D5 emergency: on holds every named door (all when none) released until reset; off resets them,
   * refused while a fire input naming the door is still active (life safety first, D8).
   */
  emergency(
    on: boolean,
    doorIds: readonly string[] | undefined,
    staff: Staff,
    now: number,
    fireActive: (input: string) => boolean,
  ): DoorEvent[] {
    const doors =
      doorIds === undefined || doorIds.length === 0 ? [...this.o.doors] : doorIds.map((id) => this.door(id));
    if (!on)
      for (const door of doors) {
        const burning = this.o.fireInputs.find(
          (f) => fireActive(f.input) && (f.doors === undefined || f.doors.includes(door.id)),
        );
        if (burning)
          throw new FrontDeskRefusal(
            "fire_active",
            `fire input ${burning.input} is still active for door ${door.id}: reset the fire panel first`,
          );
      }
    const cause = {
      source: "command" as const,
      operator: staff.operator,
      reason: staff.reason,
      always: true,
    };
    const events: DoorEvent[] = [];
    for (const door of doors) {
      const s = this.states.get(door.id) as DoorState;
      s.emergency = on ? "command" : null;
      s.emergencyInput = null;
      const e = this.update(door, now, cause);
      if (e) events.push(e);
    }
    return events;
  }

  /** D3: a fire input changed: active releases its doors (emergency); clear ends it with `reset: auto`. */
  fire(inputId: string, level: InputLevel, now: number): void {
    for (const f of this.o.fireInputs) {
      if (f.input !== inputId || level === "unknown") continue;
      for (const door of this.o.doors) {
        if (f.doors !== undefined && !f.doors.includes(door.id)) continue;
        const s = this.states.get(door.id) as DoorState;
        if (level === "active" && s.emergency === null) {
          s.emergency = "fire";
          s.emergencyInput = inputId;
          this.update(door, now, { source: "fire", operator: null, reason: `fire input ${inputId} active` });
        } else if (
          level === "inactive" &&
          f.reset === "auto" &&
          s.emergency === "fire" &&
          s.emergencyInput === inputId
        ) {
          s.emergency = null;
          s.emergencyInput = null;
          this.update(door, now, {
            source: "fire",
            operator: null,
            reason: `fire input ${inputId} cleared (reset: auto)`,
          });
        }
      }
    }
  }

  /** D3 firstPersonIn: a grant at the door; the first by a member with lockdownAccess opens the scheduled unlock. */
  granted(doorId: string, memberId: string | null, direction: "in" | "out", now: number): void {
    const door = this.o.doors.find((d) => d.id === doorId);
    const s = this.states.get(doorId);
    if (!door?.firstPersonIn || !s || memberId === null || direction !== "in") return;
    // Only now: the calendar is a read of the cache, and a grant's door pulse waits behind this.
    const cal = this.o.calendar();
    if (!cal) return;
    const start = openWindowStart(door.schedule, now, cal.zone, cal.holidays);
    if (start === null || (s.firstInAt !== null && s.firstInAt >= start)) return;
    if (!hasLockdownAccess(this.o.store, memberId)) return;
    s.firstInAt = now;
    this.update(door, now, {
      source: "schedule",
      operator: null,
      reason: `first person in: member ${memberId}`,
    });
  }

  private door(doorId: string): Door {
    const door = this.o.doors.find((d) => d.id === doorId);
    if (!door) throw unknownDoor(doorId, this.o.doors);
    return door;
  }

  /** D3: whether the door's schedule holds it unlocked now (after its first person in, when it waits for one). */
  private scheduled(door: Door, s: DoorState, now: number): boolean {
    const cal = this.o.calendar();
    if (door.schedule.length === 0 || cal === null) return false;
    if (!scheduleOpen(door.schedule, localNow(now, cal.zone), cal.holidays)) return false;
    if (!door.firstPersonIn) return true;
    const start = openWindowStart(door.schedule, now, cal.zone, cal.holidays);
    return start !== null && s.firstInAt !== null && s.firstInAt >= start;
  }

  /** Re-resolves the door's mode; on a change (or a command) stores it, records the event and applies it. */
  private update(door: Door, now: number, cause: Cause): DoorEvent | undefined {
    const s = this.states.get(door.id) as DoorState;
    const next = resolveMode(
      { emergency: s.emergency, command: s.command, scheduled: this.scheduled(door, s, now) },
      now,
    );
    const until = next.source === "command" ? (s.command?.until ?? null) : null;
    const changed = next.mode !== s.mode;
    if (!changed && !cause.always) {
      if (!cause.tick) saveDoorState(this.o.store, door.id, s);
      return undefined;
    }
    Object.assign(s, {
      mode: next.mode,
      source: cause.source,
      since: now,
      until,
      operator: cause.operator,
      reason: cause.reason,
    });
    const event = this.o.store.db
      .transaction(() => {
        saveDoorState(this.o.store, door.id, s);
        return recordEvent(this.o.store, this.o.gatewayId, {
          kind: "door",
          at: new Date(now).toISOString(),
          door: door.id,
          mode: next.mode,
          source: cause.source,
          until: until === null ? null : new Date(until).toISOString(),
          operator: cause.operator,
          reason: cause.reason,
        });
      })
      .immediate();
    this.o.log.info(
      { doorId: door.id, mode: next.mode, source: cause.source, operator: cause.operator },
      "door mode changed",
    );
    if (changed) this.o.apply(door, next.mode);
    this.o.recorded();
    return event;
  }
}

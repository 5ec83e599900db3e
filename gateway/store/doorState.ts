/**
 * doors.md D3: each door's mode and what holds it, stored (migration 12) so a restart or a power
 * cut puts every relay back into its mode before the first card, and an emergency stays until it
 * is reset.
 */
import type { DoorMode, DoorModeSource } from "../../config/protocol/events.js";
import type { Store } from "./db.js";

/** What holds a door's mode, and the mode last applied (with who set it and why). */
export interface DoorState {
  /** An emergency held until reset, and what set it; null when none. */
  emergency: "fire" | "command" | null;
  /** The fire input that set the emergency (for `reset: auto`), else null. */
  emergencyInput: string | null;
  /** A command's mode and until (ms), or null. */
  command: { mode: Exclude<DoorMode, "emergency">; until: number | null } | null;
  /** firstPersonIn: the first grant (ms) of a member with lockdownAccess, or null. */
  firstInAt: number | null;
  mode: DoorMode;
  source: DoorModeSource | null;
  /** When the mode began (ms), null for a door never changed. */
  since: number | null;
  until: number | null;
  operator: string | null;
  reason: string | null;
}

/** A door that has never changed: normal, held by nothing. */
export function initialDoorState(): DoorState {
  return {
    emergency: null,
    emergencyInput: null,
    command: null,
    firstInAt: null,
    mode: "normal",
    source: null,
    since: null,
    until: null,
    operator: null,
    reason: null,
  };
}

interface Row {
  door_id: string;
  emergency: "fire" | "command" | null;
  emergency_input: string | null;
  command_mode: Exclude<DoorMode, "emergency"> | null;
  command_until: number | null;
  first_in_at: number | null;
  mode: DoorMode;
  source: DoorModeSource | null;
  since: number | null;
  until: number | null;
  operator: string | null;
  reason: string | null;
}

/** Every stored door's state, by door id. */
export function loadDoorStates(store: Store): Map<string, DoorState> {
  const rows = store.prepare("SELECT * FROM door_state").all() as Row[];
  return new Map(
    rows.map((r) => [
      r.door_id,
      {
        emergency: r.emergency,
        emergencyInput: r.emergency_input,
        command: r.command_mode === null ? null : { mode: r.command_mode, until: r.command_until },
        firstInAt: r.first_in_at,
        mode: r.mode,
        source: r.source,
        since: r.since,
        until: r.until,
        operator: r.operator,
        reason: r.reason,
      },
    ]),
  );
}

/** Stores a door's state (replacing what was stored). */
export function saveDoorState(store: Store, doorId: string, s: DoorState): void {
  store
    .prepare(
      `INSERT OR REPLACE INTO door_state (door_id, emergency, emergency_input, command_mode, command_until,
         first_in_at, mode, source, since, until, operator, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      doorId,
      s.emergency,
      s.emergencyInput,
      s.command?.mode ?? null,
      s.command?.until ?? null,
      s.firstInAt,
      s.mode,
      s.source,
      s.since,
      s.until,
      s.operator,
      s.reason,
    );
}

/** D3 lockdownAccess of a member (firstPersonIn asks it of a grant's member). */
export function hasLockdownAccess(store: Store, memberId: string): boolean {
  return store.prepare("SELECT lockdown_access FROM members WHERE id = ?").pluck().get(memberId) === 1;
}

/**
 * What the front desk can do on a running daemon (doors.md D5), as the daemon carries it out. The
 * command channel (the control socket, the central's `commands` topic) checks, de-duplicates and
 * records a command, then calls one of these; the doors feature and the access pipeline implement
 * them. An action that cannot be done throws a `FrontDeskRefusal` whose message says why.
 */
import type { DoorMode } from "../../config/protocol/events.js";

/** Who acted and why: every staff action carries both (D5). */
export interface Staff {
  operator: string;
  reason: string;
}

/** `accessgw open --door D [--direction in|out]`: pulse the door once (granted remote_open, no member, no charge). */
export interface OpenArgs {
  door: string;
  direction?: "in" | "out";
}

/**
 * `accessgw admit --card N (--reader R | --area A) [--multipack ID | --free]`: admit a member by hand
 * and open the door of that reader (or the area's entry door). With `multipack`, charge that pack
 * when it can be used there now, else refuse with why; with `free`, admit without charge
 * (staff_override); with neither, decide as a scan would.
 */
export interface AdmitArgs {
  card: string;
  reader?: string;
  area?: string;
  multipack?: string;
  free?: boolean;
}

/** `accessgw door --door D --mode normal|unlocked|locked [--until T]`: set a door's mode (T an ISO instant). */
export interface DoorArgs {
  door: string;
  mode: Exclude<DoorMode, "emergency">;
  until?: string;
}

/** `accessgw emergency (--on | --off) [--door D ...]`: release (or reset) the named doors, all when none is named. */
export interface EmergencyArgs {
  on: boolean;
  doors?: string[];
}

/** What an action did: the decision event it recorded (open, admit), or the door events (door, emergency). */
export interface ActionResult {
  /** The decision event of `open` or `admit`; null for `door` and `emergency`. */
  eventId: string | null;
  /** For `admit`: grant or deny, the reason code and the member's message. */
  decision?: { decision: "grant" | "deny"; reason: string; message: string };
  /** The door events recorded (mode changes), in order. */
  doorEventIds?: string[];
}

/** An action refused: `message` says why in words staff understand (an unknown door, a pack that cannot pay here…). */
export class FrontDeskRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** A decision event recorded anyway (an `admit` denied by the rules), or null. */
    readonly eventId: string | null = null,
  ) {
    super(message);
    this.name = "FrontDeskRefusal";
  }
}

/** The daemon's side of the front desk. */
export interface FrontDeskActions {
  open(args: OpenArgs, staff: Staff): Promise<ActionResult>;
  admit(args: AdmitArgs, staff: Staff): Promise<ActionResult>;
  door(args: DoorArgs, staff: Staff): Promise<ActionResult>;
  emergency(args: EmergencyArgs, staff: Staff): Promise<ActionResult>;
}

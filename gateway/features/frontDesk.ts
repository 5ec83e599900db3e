/**
 * doors.md D5: the front desk's actions as the daemon carries them out — open a door, admit a
 * member by hand, set a door's mode, release or reset doors for an emergency — each recorded with
 * its operator and reason. The command channel (control socket, the central's commands) calls
 * these; a refusal says why in words staff understand.
 */
import type { Logger } from "pino";
import { maskCard } from "../../config/cardNumber.js";
import { AccessGwError } from "../../config/errors.js";
import type { Door, GatewayConfig } from "../../config/gateway.js";
import { REASON_WORDS } from "../../config/protocol/reasons.js";
import { decisionLogFields } from "../decisionLog.js";
import { recordRemoteOpen, scan } from "../decisions.js";
import type { DecisionRequest } from "../engine/types.js";
import type { Store } from "../store/db.js";
import type { RecordedEvent } from "../store/events.js";
import type { AccessPipeline } from "./accessPipeline.js";
import type { DoorsFeature } from "./doors.js";
import {
  type ActionResult,
  type AdmitArgs,
  type DoorArgs,
  type EmergencyArgs,
  type FrontDeskActions,
  FrontDeskRefusal,
  type OpenArgs,
  type Staff,
} from "./frontDeskActions.js";

/** What the front desk is handed. */
export interface FrontDeskOptions {
  config: GatewayConfig;
  store: Store;
  gatewayId: string;
  clock: () => number;
  log: Logger;
  pipeline: Pick<AccessPipeline, "openFor">;
  doors: Pick<DoorsFeature, "modeOf" | "passageFor" | "command" | "emergency">;
  /** An event went into the outbox. */
  recorded: () => void;
}

/** Where an admit happens: the area, the direction, and the door to open (none for an area without one). */
interface Place {
  area: string;
  direction: "in" | "out";
  readerId: string | null;
  door: Door | undefined;
}

/** The daemon's side of the front desk (FrontDeskActions). */
export class FrontDesk implements FrontDeskActions {
  private o: FrontDeskOptions;

  constructor(options: FrontDeskOptions) {
    this.o = options;
  }

  /** Reload: the doors and readers of `config` from the next command on. */
  reconfigure(config: GatewayConfig): void {
    this.o = { ...this.o, config };
  }

  /** D5 open: pulses the door once, recorded as a grant `remote_open` with no member and no charge. */
  async open(args: OpenArgs, staff: Staff): Promise<ActionResult> {
    const door = this.findDoor(args.door);
    const direction = args.direction ?? "in";
    const readers = this.o.config.readers.filter((r) => r.door === door.id);
    const reader = readers.find((r) => r.direction === direction) ?? readers[0];
    const now = this.o.clock();
    const wait = this.o.doors.passageFor(door, direction, now);
    const req: DecisionRequest = { card: "", area: reader?.area ?? door.id, direction, readerId: null };
    const event = recordRemoteOpen(this.o.store, req, now, this.o.gatewayId, staffAction(staff), wait);
    this.o.recorded();
    this.o.log.info(
      { doorId: door.id, direction, operator: staff.operator, eventId: event.id },
      "door opened by staff",
    );
    await this.opened(door, direction, event, wait);
    return { eventId: event.id };
  }

  /**
   * D5 admit: decides (as a scan; or through one multipack; or free, staff_override), records with
   * operator and reason, and opens the reader's door (or the area's entry door). A deny is recorded
   * and refused with its reason.
   */
  async admit(args: AdmitArgs, staff: Staff): Promise<ActionResult> {
    if (args.multipack !== undefined && args.free === true)
      throw new FrontDeskRefusal("usage", "choose --multipack or --free, not both");
    const place = this.place(args);
    const now = this.o.clock();
    const wait = place.door && this.o.doors.passageFor(place.door, place.direction, now);
    // As a scan would: in the door's mode. A pack or a free admit is the staff's choice, the mode aside.
    const asScan = args.multipack === undefined && args.free !== true;
    const mode = place.door && asScan ? this.o.doors.modeOf(place.door.id) : undefined;
    const req: DecisionRequest = {
      card: args.card,
      area: place.area,
      direction: place.direction,
      readerId: place.readerId,
      ...(mode === undefined ? {} : { doorMode: mode }),
    };
    const { config } = this.o;
    const event = this.decide(req, now, {
      offline: config.sync.enabled ? config.sync.offline : null,
      door: place.door !== undefined,
      staff: staffAction(staff),
      ...(args.multipack === undefined ? {} : { multipack: args.multipack }),
      ...(args.free === true ? { free: true } : {}),
      ...(wait ? { passage: wait } : {}),
    });
    this.o.recorded();
    const decision = { decision: event.decision, reason: event.reason, message: event.message };
    if (event.decision === "deny")
      throw new FrontDeskRefusal(event.reason, `${REASON_WORDS[event.reason]}: ${event.message}`, event.id);
    // §6: the same fields as a scan's, so the pretty line reads "… GRANTED  Eve  … by anna".
    this.o.log.info(
      {
        ...decisionLogFields(this.o.store, event, place.door?.id ?? null, maskCard(event.card)),
        operator: staff.operator,
      },
      "member admitted by staff",
    );
    if (place.door) await this.opened(place.door, place.direction, event, wait);
    return { eventId: event.id, decision };
  }

  /** D5 door: sets the door's mode (until an instant, when given). */
  async door(args: DoorArgs, staff: Staff): Promise<ActionResult> {
    let until: number | null = null;
    if (args.until !== undefined) {
      until = Date.parse(args.until);
      if (Number.isNaN(until))
        throw new FrontDeskRefusal(
          "bad_until",
          `until "${args.until}" is not an instant (expected ISO 8601)`,
        );
    }
    const event = this.o.doors.command(args.door, args.mode, until, staff);
    return { eventId: null, doorEventIds: [event.id] };
  }

  /** D5 emergency: releases (on) or resets (off) the named doors, all when none is named. */
  async emergency(args: EmergencyArgs, staff: Staff): Promise<ActionResult> {
    const events = this.o.doors.emergency(args.on, args.doors, staff);
    return { eventId: null, doorEventIds: events.map((e) => e.id) };
  }

  /** Records the decision; bad input (an unknown area, a pack the member does not hold) is a refusal. */
  private decide(req: DecisionRequest, now: number, options: Parameters<typeof scan>[4]): RecordedEvent {
    try {
      return scan(this.o.store, req, now, this.o.gatewayId, options);
    } catch (err) {
      if (err instanceof AccessGwError) throw new FrontDeskRefusal(err.code.toLowerCase(), err.message);
      throw err;
    }
  }

  /** Opens the door for the recorded grant; a relay that failed (the grant undone) is a refusal. */
  private async opened(
    door: Door,
    direction: "in" | "out",
    event: RecordedEvent,
    wait: Parameters<AccessPipeline["openFor"]>[3],
  ): Promise<void> {
    if (!(await this.o.pipeline.openFor(door, direction, event, wait)))
      throw new FrontDeskRefusal(
        "relay_failed",
        `door ${door.id} did not open: its relay failed (the grant was undone)`,
        event.id,
      );
  }

  private findDoor(doorId: string): Door {
    const door = this.o.config.doors.find((d) => d.id === doorId);
    if (!door) throw unknownDoor(doorId, this.o.config.doors);
    return door;
  }

  /** D5 admit: the reader's area, direction and door, or the area's entry door. */
  private place(args: AdmitArgs): Place {
    const { readers, doors } = this.o.config;
    if ((args.reader === undefined) === (args.area === undefined))
      throw new FrontDeskRefusal("usage", "name a reader or an area (one of them)");
    if (args.reader !== undefined) {
      const reader = readers.find((r) => r.id === args.reader);
      if (!reader)
        throw new FrontDeskRefusal(
          "unknown_reader",
          `unknown reader "${args.reader}" (the gateway has: ${readers.map((r) => r.id).join(", ") || "none"})`,
        );
      return {
        area: reader.area,
        direction: reader.direction,
        readerId: reader.id,
        door: doors.find((d) => d.id === reader.door),
      };
    }
    const entry = readers.find((r) => r.area === args.area && r.direction === "in" && r.door !== undefined);
    return {
      area: args.area as string,
      direction: "in",
      readerId: null,
      door: doors.find((d) => d.id === entry?.door),
    };
  }
}

/** The staff's who and why as a recorded decision carries them. */
function staffAction(staff: Staff): { operator: string; staffReason: string } {
  return { operator: staff.operator, staffReason: staff.reason };
}

/** A refusal naming the doors there are. */
export function unknownDoor(doorId: string, doors: readonly Door[]): FrontDeskRefusal {
  return new FrontDeskRefusal(
    "unknown_door",
    `unknown door "${doorId}" (the gateway has: ${doors.map((d) => d.id).join(", ") || "no doors"})`,
  );
}

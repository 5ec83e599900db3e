/**
 * The recorded events of cli.md and doors.md D7, as they travel to the central (sync.md `events`)
 * and as `accessgw events --json` prints them. Every event has `kind`:
 *
 * - `decision`: a scan's decision (cli.md's decision JSON) with `relayFailed`, `passed` (D2: true,
 *   false, or null when the door has no passage input or opens nothing), and `operator` and
 *   `staffReason` (null unless staff acted: `admit`, `open`);
 * - `door`: a door's mode changed (D3), with the mode, its source and who and why;
 * - `alarm`: an alarm raised or cleared (D4);
 * - `command`: a front-desk command as received and carried out or refused (D5).
 *
 * Fields that do not apply are null. What the gateway sends is strict (we own the shape); an event
 * without `kind` is a decision recorded before doors.md, read with the new fields null.
 */
import { z } from "zod";
import { Instant, LedgerEntry } from "../members.js";
import { Id } from "../site.js";
import { REASON_CODES } from "./reasons.js";

/** cli.md: the reason codes of grants and denies (config/protocol/reasons.ts). */
export const Reason = z.enum(REASON_CODES);

/** An event's seq: from 1 up, a safe integer. */
const Seq = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
/** The gateway-wide event id, `gatewayId:seq`. */
const EventId = z.string().min(3);
/** Who acted (an operator's name or login), and why: free words, as staff typed them. */
const StaffText = z.string().min(1).max(200);

const TraceRow = z.strictObject({
  multipackId: Id.nullable(),
  accessTypeId: Id.nullable(),
  outcome: z.enum(["chosen", "skipped"]),
  reason: Reason,
  /** The engine always writes it; cli.md's example leaves it out. */
  detail: z.string().optional(),
});

/** A ledger entry an event wrote, with the multipack it belongs to (R14: its id is the event id). */
export const EventLedgerEntry = LedgerEntry.safeExtend({ multipackId: Id });
export type EventLedgerEntry = z.infer<typeof EventLedgerEntry>;

/** The kinds of event (D7). */
export const EVENT_KINDS = ["decision", "door", "alarm", "command"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** D3: a door's modes, highest first. */
export const DOOR_MODES = ["emergency", "locked", "unlocked", "normal"] as const;
export const DoorMode = z.enum(DOOR_MODES);
export type DoorMode = z.infer<typeof DoorMode>;

/** D3: what set a door's mode: a command (D5), its schedule (with first-person-in), a fire input, or a command's `until` running out. */
export const DoorModeSource = z.enum(["command", "schedule", "fire", "until"]);
export type DoorModeSource = z.infer<typeof DoorModeSource>;

/** D4: the alarms a door raises. */
export const AlarmKind = z.enum(["held_open", "forced", "tailgate", "input_fault"]);
export type AlarmKind = z.infer<typeof AlarmKind>;

/** D5: the front desk's verbs. */
export const CommandVerb = z.enum(["open", "admit", "door", "emergency"]);
export type CommandVerb = z.infer<typeof CommandVerb>;

/** One recorded decision: the decision JSON of cli.md plus id, seq, relayFailed, D7's fields and its ledger entries. */
export const DecisionEvent = z.strictObject({
  kind: z.literal("decision"),
  id: EventId,
  seq: Seq,
  decision: z.enum(["grant", "deny"]),
  reason: Reason,
  at: Instant,
  card: z.string(),
  memberId: Id.nullable(),
  area: Id,
  direction: z.enum(["in", "out"]),
  readerId: Id.nullable(),
  multipackId: Id.nullable(),
  productId: Id.nullable(),
  accessTypeId: Id.nullable(),
  creditsDeducted: z.number().int().nonnegative(),
  creditsRemaining: z.number().int().nullable(),
  creditsTotal: z.number().int().nullable(),
  message: z.string(),
  trace: z.array(TraceRow),
  relayFailed: z.boolean(),
  /** D2: true once the passage was seen, false when the grant was undone for want of one, null without a passage input. */
  passed: z.boolean().nullable(),
  /** D5: the member of staff who admitted or opened by hand; null for a scan. */
  operator: StaffText.nullable(),
  /** D5: why staff acted. */
  staffReason: StaffText.nullable(),
  /** Empty when the decision charged nothing. */
  ledger: z.array(EventLedgerEntry),
});
export type DecisionEvent = z.infer<typeof DecisionEvent>;

/** D3: a door's mode changed (the relay held or pulsed from now on as the mode says). */
export const DoorEvent = z.strictObject({
  kind: z.literal("door"),
  id: EventId,
  seq: Seq,
  at: Instant,
  door: Id,
  mode: DoorMode,
  source: DoorModeSource,
  /** For a command: the instant after which the door returns to its schedule; else null. */
  until: Instant.nullable(),
  operator: StaffText.nullable(),
  /** Why (a command's reason, or what the schedule or input did, in words). */
  reason: z.string().min(1).max(200).nullable(),
});
export type DoorEvent = z.infer<typeof DoorEvent>;

/** D4: an alarm raised or cleared (raised once, cleared once). */
export const AlarmEvent = z.strictObject({
  kind: z.literal("alarm"),
  id: EventId,
  seq: Seq,
  at: Instant,
  alarm: AlarmKind,
  /** The door it concerns; null for an input that belongs to no door (a fire panel's contact). */
  door: Id.nullable(),
  /** The input at fault (input_fault), else the input that tripped it, or null. */
  input: Id.nullable(),
  state: z.enum(["raised", "cleared"]),
});
export type AlarmEvent = z.infer<typeof AlarmEvent>;

/** D5: a front-desk command, carried out (`ok`) or refused with its error. */
export const CommandEvent = z.strictObject({
  kind: z.literal("command"),
  id: EventId,
  seq: Seq,
  at: Instant,
  /** The command's id: a command is done once per id. */
  commandId: z.string().min(1).max(100),
  verb: CommandVerb,
  args: z.record(z.string(), z.unknown()),
  operator: StaffText,
  reason: StaffText,
  /** Where it came from: this gateway's command line (the control socket), or the central. */
  origin: z.enum(["local", "central"]),
  ok: z.boolean(),
  error: z.string().nullable(),
  /** The event it produced (a decision of `open` or `admit`), or null. */
  eventId: EventId.nullable(),
});
export type CommandEvent = z.infer<typeof CommandEvent>;

/** An event without `kind` was recorded before doors.md: a decision, its D7 fields null. */
function withKind(v: unknown): unknown {
  if (v === null || typeof v !== "object" || "kind" in v) return v;
  return { kind: "decision", passed: null, operator: null, staffReason: null, ...v };
}

/** Any recorded event as it travels in `events` (D7). */
export const SyncEvent = z.preprocess(
  withKind,
  z.discriminatedUnion("kind", [DecisionEvent, DoorEvent, AlarmEvent, CommandEvent]),
);
export type SyncEvent = z.infer<typeof SyncEvent>;

/** Whether an event is a decision (a scan, an admit, a remote open), as opposed to a door, alarm or command event. */
export function isDecision(e: SyncEvent): e is DecisionEvent {
  return e.kind === "decision";
}

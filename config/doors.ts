/**
 * What a door is beyond its relay (doors.md D1, D3): the inputs it reads (passage, contact, REX),
 * its alarms' timings, how its lock releases, its free-passage schedule, and the site's fire inputs.
 * The door's schema itself is in gateway.ts; these are its parts and their cross checks.
 */
import { z } from "zod";
import { Id, Window } from "./site.js";

/** Seconds with bounds, in words when out of them. */
const seconds = (min: number, max: number, fallback: number) =>
  z.number().int().min(min).max(max).default(fallback);

/** The door fields of doors.md D1 and D3 (spread into the door's schema). */
export const doorFields = {
  /** The turnstile's PASS output (or a beam) for direction A; alone it serves both directions (D2). */
  passage: Id.optional().describe(
    "input id: the turnstile's PASS output or a beam (D2); alone it serves both directions",
  ),
  /** The PASS output of direction B (out readers). */
  passageB: Id.optional().describe("input id: the PASS output of direction B (out readers)"),
  /** D2: how long after the pulse starts a grant waits for its passage before it is undone. */
  passageTimeoutSeconds: seconds(1, 300, 10).describe("seconds a grant waits for its passage (D2), 1 … 300"),
  /** Door position sensor: active = open (D4 held open, forced). */
  contact: Id.optional().describe("input id: the door position sensor, active = open (D4)"),
  /** Request-to-exit button: opening from inside is not forced (D4). */
  rex: Id.optional().describe("input id: the request-to-exit button (D4)"),
  heldOpenSeconds: seconds(1, 3600, 30).describe("seconds the contact may stay open before held_open (D4)"),
  forcedGraceSeconds: seconds(0, 300, 5).describe(
    "seconds after a grant, remote open, REX press or mode change within which an opening is not forced (D4)",
  ),
  /** D3: whether a held release energises the relay (the default) or de-energises it (fail-safe locks). */
  releaseOn: z
    .enum(["energise", "de-energise"])
    .default("energise")
    .describe(
      "energise: the relay on releases the lock; de-energise: fail-safe locks released with the relay off",
    ),
  /** D3: weekly windows of free passage (R3 semantics, holidays included). */
  schedule: z
    .array(Window)
    .default([])
    .describe("weekly windows of free passage (unlocked), as access type windows"),
  /** D3: a scheduled unlock begins only after the first grant of a member with lockdownAccess in the window. */
  firstPersonIn: z.boolean().default(false),
};

/** A fire panel's release contact and the doors it releases (D3): all doors when `doors` is left out. */
export const FireInput = z.strictObject({
  input: Id.describe("input id: the fire panel's release contact"),
  doors: z.array(Id).min(1).optional().describe("the doors it releases; all doors when left out"),
  /** manual: emergency ends only by a command; auto: when the input clears. */
  reset: z.enum(["manual", "auto"]).default("manual"),
});
export type FireInput = z.infer<typeof FireInput>;

/** The input ids a door reads, by the role they play. */
export const DOOR_INPUT_ROLES = ["passage", "passageB", "contact", "rex"] as const;

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asRecord = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === "object" ? (v as Record<string, unknown>) : {};
const ids = (items: unknown[]) =>
  new Set(items.map((i) => asRecord(i).id).filter((id): id is string => typeof id === "string"));

/**
 * The door and fire-input references of a parsed (possibly invalid) document, as `path: message`:
 * inputs and doors that do not exist, `passageB` without `passage`, `firstPersonIn` without a
 * schedule, an input playing two roles.
 */
export function doorProblems(raw: unknown): string[] {
  const doc = asRecord(raw);
  const inputs = ids(asList(doc.inputs));
  const doors = asList(doc.doors);
  const doorIds = ids(doors);
  const problems: string[] = [];
  const roleOf = new Map<string, string>();
  const claim = (input: string, at: string) => {
    const first = roleOf.get(input);
    if (first !== undefined) problems.push(`${at}: input "${input}" is already used as ${first}`);
    else roleOf.set(input, at);
  };
  const unknownInput = (input: unknown, at: string) => {
    if (typeof input !== "string") return;
    if (!inputs.has(input))
      problems.push(
        `${at}: unknown input "${input}"${inputs.size === 0 ? " (there is no inputs section)" : ""}`,
      );
    else claim(input, at);
  };
  doors.forEach((d, i) => {
    const door = asRecord(d);
    for (const role of DOOR_INPUT_ROLES) unknownInput(door[role], `doors[${i}].${role}`);
    if (door.passageB !== undefined && door.passage === undefined)
      problems.push(`doors[${i}].passageB: needs passage (the input of direction A, or of both directions)`);
    if (door.firstPersonIn === true && asList(door.schedule).length === 0)
      problems.push(`doors[${i}].firstPersonIn: applies to a scheduled unlock, and the door has no schedule`);
  });
  asList(doc.fireInputs).forEach((f, i) => {
    const fire = asRecord(f);
    unknownInput(fire.input, `fireInputs[${i}].input`);
    asList(fire.doors).forEach((door, j) => {
      if (typeof door === "string" && !doorIds.has(door))
        problems.push(`fireInputs[${i}].doors[${j}]: unknown door "${door}"`);
    });
  });
  return problems;
}

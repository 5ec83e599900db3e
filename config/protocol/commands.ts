/**
 * The front desk's commands of doors.md D5, as they travel from the central (`P/gateways/G/commands`)
 * and over the control socket (`<data>/control.sock`), and the result a gateway answers with
 * (`P/gateways/G/command-results`). One schema for both ways in, so the command line, the central
 * and the gateway agree on every field.
 *
 * Unknown keys: the envelope ignores them (an integrator's `sentAt` or trace id, as on every message
 * the gateway receives); the args are strict, because a misspelt `dor` silently ignored would act on
 * the wrong door or on none.
 */
import { z } from "zod";
import { Instant } from "../members.js";
import { Id } from "../site.js";

/** D5: a command older than this when it arrives is refused as stale, never carried out late. */
export const STALE_AFTER_MS = 60_000;
/**
 * A command stamped further than this in the future is refused (`error: "future"`): the sender's
 * clock or the gateway's is wrong, and the 60 s of D5 could not be judged.
 */
export const MAX_CLOCK_SKEW_MS = 10_000;

/** Who acted or why: free words, as staff typed them (1–200 characters, not blank). */
const StaffText = z
  .string()
  .trim()
  .min(1, { error: "must not be empty" })
  .max(200, { error: "at most 200 characters" });

/** A card number as read (R1 makes it canonical at the gateway). */
const CardText = z.string().trim().min(1, { error: "must not be empty" }).max(64);

/** `open`: pulse a door once (granted remote_open, no member, no charge). */
export const OpenCommandArgs = z.strictObject({ door: Id, direction: z.enum(["in", "out"]).optional() });

/** `admit`: a member by card, at a reader or an area, charged as a scan, on a chosen multipack or free. */
export const AdmitCommandArgs = z
  .strictObject({
    card: CardText,
    reader: Id.optional(),
    area: Id.optional(),
    multipack: Id.optional(),
    free: z.boolean().optional(),
  })
  .superRefine((a, ctx) => {
    if ((a.reader === undefined) === (a.area === undefined))
      ctx.addIssue({ code: "custom", path: ["reader"], message: "give either reader or area (one of them)" });
    if (a.multipack !== undefined && a.free === true)
      ctx.addIssue({ code: "custom", path: ["free"], message: "give multipack or free, not both" });
  });

/** `door`: set a door's mode, until an instant when given (then the door returns to its schedule). */
export const DoorCommandArgs = z.strictObject({
  door: Id,
  mode: z.enum(["normal", "unlocked", "locked"]),
  until: Instant.optional(),
});

/** `emergency`: release (on) or reset (off) the named doors, every door when none is named. */
export const EmergencyCommandArgs = z.strictObject({
  on: z.boolean(),
  doors: z.array(Id).min(1).max(256).optional(),
});

/** The args schema of each verb. */
export const COMMAND_ARGS = {
  open: OpenCommandArgs,
  admit: AdmitCommandArgs,
  door: DoorCommandArgs,
  emergency: EmergencyCommandArgs,
} as const;

const envelope = {
  /** Chosen by the sender, unique per command: a command is done once per id (D5). */
  id: z.string().trim().min(1).max(100),
  /** When it was sent: one older than 60 s on arrival is stale. */
  at: Instant,
  operator: StaffText,
  reason: StaffText,
};

/** A command with a `door --until` before the command's own `at` can never hold. */
const untilAfterAt = (
  c: { at: string; args: { until?: string | undefined } },
  ctx: z.core.$RefinementCtx,
) => {
  if (c.args.until !== undefined && Date.parse(c.args.until) <= Date.parse(c.at))
    ctx.addIssue({ code: "custom", path: ["args", "until"], message: "must be later than the command's at" });
};

/** `P/gateways/G/commands` and the control socket: `{id, at, verb, args, operator, reason}`. */
export const CommandMessage = z.discriminatedUnion("verb", [
  z.object({ ...envelope, verb: z.literal("open"), args: OpenCommandArgs }),
  z.object({ ...envelope, verb: z.literal("admit"), args: AdmitCommandArgs }),
  z.object({ ...envelope, verb: z.literal("door"), args: DoorCommandArgs }).superRefine(untilAfterAt),
  z.object({ ...envelope, verb: z.literal("emergency"), args: EmergencyCommandArgs }),
]);
export type CommandMessage = z.infer<typeof CommandMessage>;

/**
 * `P/gateways/G/command-results`: how a command ended. `error` is null when `ok`, else it starts
 * with a stable code: `stale`, `future`, `invalid: …`, `unavailable: …`, `interrupted: …`,
 * `failed: …`, or the front desk's own refusal code (`unknown_door: …`, a deny reason of an
 * `admit`…). `eventId` is the decision the command produced (`open`, `admit`, also a denied admit),
 * else null. A replayed id gets the first result again.
 */
export const CommandResult = z.strictObject({
  id: z.string().min(1).max(100),
  ok: z.boolean(),
  error: z.string().min(1).nullable(),
  eventId: z.string().min(3).nullable(),
});
export type CommandResult = z.infer<typeof CommandResult>;

/** The id of a payload that failed validation, when it has a usable one (so the sender still gets a result). */
export function rawCommandId(value: unknown): string | null {
  if (value === null || typeof value !== "object") return null;
  const id = (value as { id?: unknown }).id;
  return typeof id === "string" && id.trim() !== "" && id.length <= 100 ? id.trim() : null;
}

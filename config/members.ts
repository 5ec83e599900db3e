import { z } from "zod";
import { boundedInt, MAX_CARD_LENGTH, MAX_CREDITS, yearProblem } from "./bounds.js";
import { PinHash } from "./pinHash.js";
import { Id, isRealDate, LocalDate, Locale, MemberCode } from "./site.js";

/** An instant with an explicit offset or `Z`, e.g. `2026-11-01T10:15:00+01:00`. */
export const Instant = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i, {
    error: "expected an instant with an offset, e.g. 2026-11-01T10:15:00+01:00",
    abort: true,
  })
  // Date.parse rolls "2027-02-30T…" over to 2 March: the date part must be a real date too.
  // (A plain function: this check runs for every ledger entry of an import.)
  .refine((s) => isRealDate(s.slice(0, 10)) && Number.isFinite(Date.parse(s)), {
    error: "not a real instant",
    abort: true,
  })
  .superRefine((s, ctx) => {
    const problem = yearProblem(s);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  });

export const CardStatus = z.enum(["active", "blocked", "lost"]);

export const Card = z
  .strictObject({
    number: z
      .union([
        z.string().max(MAX_CARD_LENGTH, { error: `at most ${MAX_CARD_LENGTH} characters` }),
        z.number().int().nonnegative(),
      ])
      .transform((n) => String(n)),
    status: CardStatus.default("active"),
    validFrom: LocalDate.optional(),
    validTo: LocalDate.optional(),
  })
  // The guard: zod still runs this check when `number` itself was refused (e.g. `true`, or a number
  // too large to be exact), and then it is not a string.
  .refine((c) => typeof c.number !== "string" || c.number.trim().length > 0, {
    error: "empty card number",
    path: ["number"],
  });
export type Card = z.infer<typeof Card>;

export const MemberCardModel = z.strictObject({
  model: Id,
  validFrom: LocalDate.optional(),
  validTo: LocalDate.optional(),
});
export type MemberCardModel = z.infer<typeof MemberCardModel>;

export const Suspension = z
  .strictObject({ from: LocalDate, to: LocalDate })
  .refine((s) => s.from <= s.to, { error: "from is after to" });
export type Suspension = z.infer<typeof Suspension>;

/**
 * R16: usage is positive, refunds negative. `kind` says what the entry is; `addition` raises the
 * multipack's total instead of lowering what remains. Without `kind`, the sign says it (ledgerKind).
 */
export const LedgerEntry = z
  .strictObject({
    id: z.string().min(1).max(200),
    amount: boundedInt(-MAX_CREDITS, MAX_CREDITS),
    at: Instant,
    area: Id.optional(),
    accessType: Id.optional(),
    kind: z.enum(["usage", "refund", "deduction", "addition"]).optional(),
  })
  .superRefine((e, ctx) => {
    const problem = ledgerSignProblem(e);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  });
export type LedgerEntry = z.infer<typeof LedgerEntry>;
export type LedgerKind = NonNullable<LedgerEntry["kind"]>;

/**
 * R16: the sign each kind of entry has: only a refund gives credits back. Usage and deductions of 0
 * change nothing and are let through (an entry may record a free passage); an addition or a refund
 * of 0 is a mistake.
 */
const KIND_SIGN: Record<LedgerKind, { ok: (amount: number) => boolean; says: string }> = {
  usage: {
    ok: (a) => a >= 0,
    says: "a usage must be positive (a refund is kind: refund with a negative amount, R16)",
  },
  deduction: { ok: (a) => a >= 0, says: "a deduction must be positive" },
  addition: { ok: (a) => a > 0, says: "an addition must be positive" },
  refund: { ok: (a) => a < 0, says: "a refund must be negative" },
};

/** The kind of an entry: explicit, else usage when positive and refund when negative (R16). */
export function ledgerKind(e: { kind?: LedgerKind | undefined; amount: number }): LedgerKind {
  return e.kind ?? (e.amount < 0 ? "refund" : "usage");
}

/** Why an entry's amount has the wrong sign for its kind (R16), or undefined. */
function ledgerSignProblem(e: { kind?: LedgerKind | undefined; amount: number }): string | undefined {
  const sign = KIND_SIGN[ledgerKind(e)];
  return sign.ok(e.amount) ? undefined : sign.says;
}

/**
 * sync.md history horizon: what a multipack's ledger held before the instant `through`, in two sums:
 * `added` the additions, `used` every other entry (usage and deductions positive, refunds negative).
 * Remaining = creditsTotal + added − used, then the entries listed after it (R16).
 */
export const LedgerBefore = z.strictObject({
  used: boundedInt(-MAX_CREDITS * 1000, MAX_CREDITS * 1000),
  added: boundedInt(0, MAX_CREDITS * 1000),
  through: Instant,
});
export type LedgerBefore = z.infer<typeof LedgerBefore>;

export const Multipack = z.strictObject({
  id: Id,
  product: Id,
  purchasedAt: Instant,
  validFrom: LocalDate.optional(),
  validUntil: LocalDate.optional(),
  creditsTotal: boundedInt(0, MAX_CREDITS).optional(),
  status: z.enum(["active", "stored"]).default("active"),
  suspensions: z.array(Suspension).default([]),
  ledger: z.array(LedgerEntry).default([]),
  /** sync.md history horizon: the multipack's ledger entries before `through`, folded into sums. */
  ledgerBefore: LedgerBefore.optional(),
});
export type Multipack = z.infer<typeof Multipack>;

export const Booking = z
  .strictObject({ id: Id, area: Id, start: Instant, end: Instant })
  .refine((b) => Date.parse(b.start) < Date.parse(b.end), { error: "start is not before end" });
export type Booking = z.infer<typeof Booking>;

export const Block = z
  .strictObject({
    reason: z.string().min(1),
    from: LocalDate,
    to: LocalDate.optional(),
    message: z.string().optional(),
  })
  .refine((b) => !b.to || b.from <= b.to, { error: "from is after to" });
export type Block = z.infer<typeof Block>;

/**
 * sync.md: a counted visit, its id the event id. `undone: true` is sticky: an undone grant (relay
 * failure, no passage, D2) counts for nothing, wherever it was made.
 */
export const Visit = z.strictObject({
  id: z.string().min(1).max(200),
  /** R20: the site where it was made; its area and access type are that site's. */
  site: Id,
  at: Instant,
  area: Id,
  accessType: Id.nullable(),
  multipack: Id.nullable(),
  product: Id.nullable(),
  /** Charged credits, or 0 for a counted free entry. */
  credits: boundedInt(0, MAX_CREDITS),
  undone: z.boolean().default(false),
});
export type Visit = z.infer<typeof Visit>;

/** sync.md: a member's last movement in an area (R11, R12) that was not undone; `eventId` the event that made it. */
export const Presence = z.strictObject({
  area: Id,
  direction: z.enum(["in", "out"]),
  at: Instant,
  eventId: z.string().min(1).max(200),
});
export type Presence = z.infer<typeof Presence>;

export const Member = z.strictObject({
  id: Id,
  name: z.string().optional(),
  /** R20: the site (a site id) whose `at: home` limits apply to this member; absent: home everywhere. */
  homeSite: Id.optional(),
  /** R19: codes such as `student` or `corp-acme` that items may require. */
  codes: z.array(MemberCode).default([]),
  /** D6: the member's language for messages at the reader; overrides the site's. */
  locale: Locale.optional(),
  /** doors.md D3: staff or security: let in through a locked door, and the first person in of a schedule. */
  lockdownAccess: z.boolean().default(false),
  /** R21: the PIN as a scrypt PHC string, never the PIN itself; absent: no PIN set. */
  pinHash: PinHash.optional(),
  cards: z.array(Card).default([]),
  cardModels: z.array(MemberCardModel).default([]),
  multipacks: z.array(Multipack).default([]),
  bookings: z.array(Booking).default([]),
  blocks: z.array(Block).default([]),
  /**
   * sync.md "Sites with several gateways": the member's counted visits (R5, R7, R8) as the central
   * knows them, at every gateway of the site and, for a chain, at its other sites (R20). Absent: the
   * central does not send visits (the gateway keeps its own, as before).
   */
  visits: z.array(Visit).optional(),
  /** sync.md: the member's last movement per area that was not undone (R11, R12), as the central knows it. */
  presence: z.array(Presence).optional(),
});
export type Member = z.infer<typeof Member>;

/**
 * The reason codes of the contract (cli.md's decision JSON, sync.md's events): one list, from which
 * the engine's Decision and Reason types and the event schema are both derived. Grant reasons first;
 * then the deny reasons a decision reaches before looking at multipacks (R1, R4); then the stages of
 * R13 in order, then the door's lockdown (doors.md D7) — the deny reason of a scan is the furthest stage any multipack or candidate reached;
 * then `error`, an internal failure recorded as a deny (R14: every decision is recorded), which is
 * no outcome of the rules.
 */
export const REASONS = [
  { code: "ok", decision: "grant", words: "valid entitlement" },
  { code: "reentry", decision: "grant", words: "re-entry within the deduction interval, free" },
  { code: "booking", decision: "grant", words: "booked class or session" },
  { code: "exit", decision: "grant", words: "exit" },
  // doors.md D3, D5: grants the door's mode or the front desk gives, not the rules.
  {
    code: "emergency",
    decision: "grant",
    words: "door released for an emergency (fire): free, no anti-passback",
  },
  { code: "door_unlocked", decision: "grant", words: "door in free passage (unlocked): free" },
  { code: "remote_open", decision: "grant", words: "opened by staff, no member, no charge" },
  {
    code: "staff_override",
    decision: "grant",
    words: "admitted by staff without charge, whatever the rules say",
  },
  { code: "unknown_card", decision: "deny", words: "unknown card" },
  { code: "card_blocked", decision: "deny", words: "card blocked or reported lost" },
  { code: "card_expired", decision: "deny", words: "card outside its validity dates" },
  { code: "member_blocked", decision: "deny", words: "member blocked" },
  // R21: card and PIN, decided after R1 and before the rules of R3–R12 run.
  { code: "pin_timeout", decision: "deny", words: "no PIN typed in time (card and PIN)" },
  { code: "pin_missing", decision: "deny", words: "PIN asked but the member has no PIN set" },
  { code: "wrong_pin", decision: "deny", words: "wrong PIN" },
  { code: "pin_locked", decision: "deny", words: "card locked for 15 minutes after 5 wrong PINs" },
  { code: "no_entitlement", decision: "deny", words: "no multipack at all" },
  { code: "inactive", decision: "deny", stage: 1, words: "multipack not active (stored)" },
  { code: "expired", decision: "deny", stage: 2, words: "multipack expired" },
  { code: "not_yet_valid", decision: "deny", stage: 2, words: "multipack not valid yet" },
  { code: "suspended", decision: "deny", stage: 3, words: "multipack suspended" },
  { code: "wrong_area", decision: "deny", stage: 4, words: "not valid for this area" },
  { code: "outside_time_window", decision: "deny", stage: 5, words: "outside the allowed time windows" },
  {
    code: "card_model_missing",
    decision: "deny",
    stage: 6,
    words: "required card model missing or not valid",
  },
  { code: "member_code_missing", decision: "deny", stage: 7, words: "required member code missing (R19)" },
  { code: "no_credits", decision: "deny", stage: 8, words: "not enough credits" },
  { code: "allowance_used", decision: "deny", stage: 9, words: "included visits used up for this period" },
  { code: "limit_reached", decision: "deny", stage: 10, words: "usage limit reached" },
  {
    code: "offline_stale",
    decision: "deny",
    stage: 11,
    words: "offline too long: paid entries denied (sync.offline deny-paid)",
  },
  { code: "anti_passback", decision: "deny", stage: 12, words: "anti-passback: already inside or too soon" },
  { code: "area_full", decision: "deny", stage: 13, words: "area full" },
  // doors.md D7: after area_full in R13's order (a member the rules refuse anyway hears why).
  {
    code: "door_locked",
    decision: "deny",
    stage: 14,
    words: "door locked (lockdown): entries for staff only",
  },
  { code: "error", decision: "deny", words: "internal error while deciding: denied and recorded" },
] as const;

type Entry = (typeof REASONS)[number];

/** Every reason code of a decision or event. */
export type Reason = Entry["code"];
/** The reasons of a grant (cli.md). */
export type GrantReason = Extract<Entry, { decision: "grant" }>["code"];
/** The reasons of a deny (cli.md), `error` included. */
export type DenyReason = Extract<Entry, { decision: "deny" }>["code"];
/** The deny reasons with an R13 stage: what a multipack or candidate can fail on. */
export type StagedReason = Extract<Entry, { stage: number }>["code"];

/** Every code in the list's order, as zod's `z.enum` wants it. */
export const REASON_CODES = REASONS.map((r) => r.code) as [Reason, ...Reason[]];

/** Reason codes in words, for a technician reading at the turnstile. */
export const REASON_WORDS = Object.fromEntries(REASONS.map((r) => [r.code, r.words])) as Record<
  Reason,
  string
>;

/** R13: the stage of each staged deny reason (higher got further). */
export const REASON_STAGE = Object.fromEntries(
  REASONS.flatMap((r) => ("stage" in r ? [[r.code, r.stage]] : [])),
) as Record<StagedReason, number>;

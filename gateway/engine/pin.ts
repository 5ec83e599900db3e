/**
 * R21 card and PIN, the pure part: whether a reader asks for a PIN at a local time, and the deny
 * decision of a PIN step that failed. Checking the PIN itself (scrypt) is CPU work the gateway
 * does outside the engine (gateway/pinCheck.ts).
 */
import type { PinPolicy } from "../../config/readerPin.js";
import type { Window } from "../../config/site.js";
import type { LocalNow } from "./clock.js";
import { scheduleOpen } from "./doorModes.js";
import { deny, newDecision, traceRow } from "./outcome.js";
import type { Decision, DecisionRequest, Direction } from "./types.js";
import { wordsFor } from "./words.js";

/** R21's outcomes of the PIN step that end in a deny. */
export type PinRefusal = "pin_timeout" | "pin_missing" | "wrong_pin" | "pin_locked";

/**
 * R21: does a reader with this policy ask for a PIN at `ln`? Exits never ask; `{ windows }` asks
 * inside the windows with R3's semantics (from inclusive, to exclusive, past midnight, `hol`).
 */
export function pinRequired(
  policy: PinPolicy | undefined,
  direction: Direction,
  ln: LocalNow,
  holidays: Set<string>,
): boolean {
  if (direction === "out" || policy === undefined || policy === "never") return false;
  if (policy === "always") return true;
  return scheduleOpen(policy.windows as readonly Window[], ln, holidays);
}

/** What a PIN refusal says in the trace, for staff reading `accessgw events`. */
const TRACE: Record<PinRefusal, string> = {
  pin_timeout: "no PIN and # typed within the reader's pinTimeoutSeconds (R21)",
  pin_missing: "the reader asks for a PIN and the member has no PIN set (R21)",
  wrong_pin: "the PIN typed does not match the member's (R21)",
  pin_locked: "5 wrong PINs in a row: the card is refused for 15 minutes (R21)",
};

/**
 * R21: the deny of a PIN step, in the member's language (R15). The PIN typed is never part of it:
 * the decision says only which outcome it was.
 */
export function pinDecision(
  req: DecisionRequest,
  now: number,
  member: { id: string; locale: string | null },
  siteLocale: string | null,
  reason: PinRefusal,
): Decision {
  const d = newDecision(req, now);
  d.memberId = member.id;
  const { t } = wordsFor(member.locale, siteLocale);
  const message = {
    pin_timeout: t.pinTimeout,
    pin_missing: t.pinMissing,
    wrong_pin: t.wrongPin,
    pin_locked: t.pinLocked,
  }[reason];
  d.trace.push(traceRow(null, null, "skipped", reason, TRACE[reason]));
  return deny(d, reason, message);
}

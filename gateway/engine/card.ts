import type { LocalNow } from "./clock.js";
import { grantMessage } from "./message.js";
import { grant, traceRow } from "./outcome.js";
import type { CardFact, Decision, Direction, Facts, MemberFact } from "./types.js";
import type { Words } from "./words.js";

/** R1: the scanned (canonical) card and the member holding it, or null for an unknown card. */
export function cardHolder(facts: Facts, card: string): { card: CardFact; member: MemberFact } | null {
  const c = facts.card;
  const member = facts.member;
  if (!c || c.number !== card || !member || member.id !== c.memberId) return null;
  return { card: c, member };
}

/**
 * R1: a known card is refused when blocked or lost (`card_blocked`, exits too); outside its own
 * validity dates (`card_expired`) or while a member block covers the local date (`member_blocked`),
 * entries only: blocks and card dates stop entries, never exits (R11).
 */
export function cardRefusal(
  c: CardFact,
  member: MemberFact,
  direction: Direction,
  ln: LocalNow,
  w: Words,
): { reason: "card_blocked" | "card_expired" | "member_blocked"; message: string } | null {
  if (c.status !== "active") return { reason: "card_blocked", message: w.t.cardBlocked };
  if (direction === "out") return null;
  if ((c.validFrom && ln.date < c.validFrom) || (c.validTo && ln.date > c.validTo)) {
    const message =
      c.validTo && ln.date > c.validTo ? w.t.cardExpiredOn(w.date(c.validTo)) : w.t.cardNotValidYet;
    return { reason: "card_expired", message };
  }
  const block = member.blocks.find((b) => b.from <= ln.date && (!b.to || ln.date <= b.to));
  // A block's own message is the staff's words: shown as written, in whatever language they wrote it.
  if (block) return { reason: "member_blocked", message: block.message ?? w.t.accessBlocked };
  return null;
}

/** R11: an exit by a known, unblocked card is granted, costs nothing and is recorded. */
export function exitGrant(d: Decision, member: MemberFact, w: Words): Decision {
  d.trace.push(traceRow(null, null, "chosen", "exit", "exit reader (R11)"));
  return grant(d, "exit", grantMessage(w, "exit", member.name, null));
}

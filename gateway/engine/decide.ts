import { areaRules } from "./areaRules.js";
import { activeBooking, bookingDecision } from "./bookings.js";
import { evaluateMultipack } from "./candidates.js";
import { cardHolder, cardRefusal, exitGrant } from "./card.js";
import { chooseOrder } from "./choice.js";
import { localNow } from "./clock.js";
import { type Candidate, type Ctx, type Failure, makeCtx } from "./context.js";
import { denyMessage } from "./denyMessage.js";
import { furthestFailure } from "./denyReason.js";
import { emergencyDecision, withDoorMode } from "./doorModes.js";
import { memberCodeUsed } from "./memberCodes.js";
import { creditsText, grantMessage } from "./message.js";
import { deny, grant, newDecision, traceRow } from "./outcome.js";
import { transferWords } from "./transfer.js";
import type { Decision, DecisionRequest, Facts, MemberFact } from "./types.js";
import { type Words, wordsFor } from "./words.js";

/**
 * Decides one scan (R1–R19, and the door's mode of doors.md D3): pure, no I/O, no clock. The same
 * request, facts and `now` always give the same decision.
 */
export function decide(req: DecisionRequest, facts: Facts, now: number): Decision {
  const mode = req.doorMode ?? "normal";
  // D3: in an emergency every scan is let through, whatever the rules say.
  if (mode === "emergency") return emergencyDecision(req, facts, now);
  return withDoorMode(decideByRules(req, facts, now), mode, facts);
}

/** R1–R19: the decision of the rules alone. */
function decideByRules(req: DecisionRequest, facts: Facts, now: number): Decision {
  const ln = localNow(now, facts.site.zone);
  const d = newDecision(req, now);
  const holder = cardHolder(facts, d.card);
  // D6: the member's language, else the site's (an unknown card has only the site's).
  const w = wordsFor(holder?.member.locale, facts.site.site.locale);
  if (!holder) return deny(d, "unknown_card", w.t.unknownCard);
  const { card, member } = holder;
  d.memberId = member.id;
  const refused = cardRefusal(card, member, req.direction, ln, w);
  if (refused) return deny(d, refused.reason, refused.message);
  if (req.direction === "out") return exitGrant(d, member, w);
  const booking = activeBooking(facts, member, req.area, now);
  if (booking) return bookingDecision(d, booking, facts, ln, member, w);
  if (facts.multipacks.length === 0) return deny(d, "no_entitlement", w.t.noEntitlement);
  const ctx = makeCtx(facts, now, req.area, facts.offline);
  const decided = multipackDecision(d, ctx, member, w);
  traceTransfers(decided, ctx);
  return decided;
}

/** R4–R9, R12, R13: the candidates of every multipack, the best one, or the deny that got furthest. */
function multipackDecision(d: Decision, ctx: Ctx, member: MemberFact, w: Words): Decision {
  const { facts, now: ln } = ctx;
  const candidates: Candidate[] = [];
  const failures: Failure[] = [];
  for (const mp of facts.multipacks) {
    const r = evaluateMultipack(ctx, mp);
    candidates.push(...r.candidates);
    failures.push(...r.failures);
  }
  for (const f of failures)
    d.trace.push(traceRow(f.mp.id, f.accessType?.id ?? null, "skipped", f.reason, f.detail));
  if (candidates.length === 0) {
    const best = furthestFailure(failures);
    return deny(d, best.reason, denyMessage(w, best, failures, ln, facts, d.area));
  }
  const ordered = chooseOrder(candidates, facts.site.site.tieBreak);
  const areaDeny = areaRules(facts, ln, d.area, w);
  traceCandidates(d, ordered, ctx, areaDeny);
  if (areaDeny) return deny(d, areaDeny.reason, areaDeny.message);
  return grantThrough(d, ordered[0] as Candidate, member, w);
}

/** The trace of the candidates: the first chosen (or refused by R12), the others not chosen (R9). */
function traceCandidates(
  d: Decision,
  ordered: Candidate[],
  ctx: Ctx,
  areaDeny: ReturnType<typeof areaRules>,
): void {
  const chosen = ordered[0] as Candidate;
  ordered.forEach((cand, i) => {
    const at = cand.accessType.id;
    if (i === 0 && areaDeny)
      d.trace.push(traceRow(cand.mp.id, at, "skipped", areaDeny.reason, areaDeny.detail));
    else if (i === 0)
      d.trace.push(
        traceRow(cand.mp.id, at, "chosen", cand.reentry ? "reentry" : "ok", chosenDetail(cand, ctx)),
      );
    else {
      const reason = cand.reentry ? "reentry" : "ok";
      d.trace.push(
        traceRow(cand.mp.id, at, "skipped", reason, `not chosen: ${chosen.mp.id} comes first (R9)`),
      );
    }
  });
}

/** The trace's words for the chosen candidate: why it costs what it costs, and what let it in. */
function chosenDetail(cand: Candidate, ctx: Ctx): string {
  const why = cand.reentry ? "re-entry within the deduction interval (R5)" : `costs ${cand.cost} (R4)`;
  const code = memberCodeUsed(ctx.facts.member, cand.item);
  const held = code === null ? "" : `, member code ${code} (R19)`;
  // sync.offline keep-deciding: the trace says the cache was stale when it decided.
  const stale = ctx.offline.stale ? `; ${ctx.offline.words}, decided anyway (${ctx.offline.after})` : "";
  return `${why}, priority ${cand.item.priority}${held}${stale}`;
}

/** R18: the trace names what moved into or out of each multipack it shows. */
function traceTransfers(d: Decision, ctx: Ctx): void {
  if (ctx.transfers.size === 0) return;
  for (const row of d.trace) {
    const note = row.multipackId === null ? undefined : ctx.transfers.get(row.multipackId);
    if (note) row.detail = `${row.detail}; ${transferWords(note)}`;
  }
}

/** The grant through the chosen candidate, with its credits after this entry (R4, R15, R16). */
function grantThrough(d: Decision, chosen: Candidate, member: MemberFact, w: Words): Decision {
  const reason = chosen.reentry ? "reentry" : "ok";
  const unlimited = chosen.product.credits === 0;
  d.multipackId = chosen.mp.id;
  d.productId = chosen.product.id;
  d.accessTypeId = chosen.accessType.id;
  d.creditsDeducted = chosen.cost;
  d.creditsRemaining = unlimited ? null : chosen.remaining - chosen.cost;
  d.creditsTotal = unlimited ? null : chosen.mp.creditsTotal;
  const credits = creditsText(w, d.creditsRemaining, d.creditsTotal);
  return grant(d, reason, grantMessage(w, reason, member.name, credits));
}

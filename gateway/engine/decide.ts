import { canonicalCard } from "../../config/cardNumber.js";
import type { AccessType } from "../../config/site.js";
import { isoWeekday } from "./calendar.js";
import { evaluateMultipack, STAGE } from "./candidates.js";
import { type LocalNow, localNow, localParts } from "./clock.js";
import { type Candidate, type Ctx, type Failure, makeCtx } from "./context.js";
import { areaName, creditsText, displayDate, grantMessage, opensText } from "./message.js";
import type { Decision, DecisionRequest, DenyReason, Facts, TraceRow } from "./types.js";
import { nextOpening } from "./windows.js";

/**
 * Decides one scan (R1–R16): pure, no I/O, no clock. The same request, facts and `now` always give
 * the same decision.
 */
export function decide(req: DecisionRequest, facts: Facts, now: number): Decision {
  const ln = localNow(now, facts.site.zone);
  const card = canonicalCard(req.card);
  const base: Decision = {
    decision: "deny",
    reason: "unknown_card",
    at: new Date(now).toISOString(),
    card,
    memberId: null,
    area: req.area,
    direction: req.direction,
    readerId: req.readerId,
    multipackId: null,
    productId: null,
    accessTypeId: null,
    creditsDeducted: 0,
    creditsRemaining: null,
    creditsTotal: null,
    message: "Unknown card",
    trace: [],
  };
  const c = facts.card;
  const member = facts.member;
  // R1: the card.
  if (!c || c.number !== card || !member || member.id !== c.memberId) return base;
  base.memberId = member.id;
  if (c.status !== "active") return deny(base, "card_blocked", "Card blocked — please see reception");
  // R11: an exit by a known, unblocked card is always granted: member blocks and
  // a card's own validity dates stop entries, never exits.
  if (req.direction === "out") {
    base.trace.push(row(null, null, "chosen", "exit", "exit reader (R11)"));
    return grant(base, "exit", grantMessage("exit", member.name, null));
  }
  if ((c.validFrom && ln.date < c.validFrom) || (c.validTo && ln.date > c.validTo)) {
    const msg =
      c.validTo && ln.date > c.validTo ? `Card expired on ${displayDate(c.validTo)}` : "Card not valid yet";
    return deny(base, "card_expired", msg);
  }
  const block = member.blocks.find((b) => b.from <= ln.date && (!b.to || ln.date <= b.to));
  if (block) return deny(base, "member_blocked", block.message ?? "Access blocked — please see reception");

  // R10: a booking for this area beats every multipack.
  const early = facts.site.site.bookingEarlyMinutes * 60_000;
  const booking = member.bookings.find((b) => b.area === req.area && now >= b.start - early && now < b.end);
  if (booking) {
    const start = localParts(booking.start, ln.zone).time;
    const end = localParts(booking.end, ln.zone).time;
    const areaDeny = areaRules(facts, ln, req.area);
    if (areaDeny) {
      base.trace.push(
        row(null, null, "skipped", areaDeny.reason, `booking ${booking.id}: ${areaDeny.detail}`),
      );
      return deny(base, areaDeny.reason, areaDeny.message);
    }
    base.trace.push(row(null, null, "chosen", "booking", `booking ${booking.id} ${start}–${end} (R10)`));
    return grant(base, "booking", grantMessage("booking", member.name, null, `booked ${start}–${end}`));
  }

  if (facts.multipacks.length === 0)
    return deny(base, "no_entitlement", "No valid membership — please see reception");
  const ctx: Ctx = makeCtx(facts, now, req.area, facts.offline);
  const candidates: Candidate[] = [];
  const failures: Failure[] = [];
  for (const mp of facts.multipacks) {
    const r = evaluateMultipack(ctx, mp);
    candidates.push(...r.candidates);
    failures.push(...r.failures);
  }
  for (const f of failures)
    base.trace.push(row(f.mp.id, f.accessType?.id ?? null, "skipped", f.reason, f.detail));
  if (candidates.length === 0) return denyFurthest(base, failures, ln, facts, req.area);

  candidates.sort(compareCandidates(facts.site.site.tieBreak));
  const chosen = candidates[0] as Candidate;
  const reason = chosen.reentry ? "reentry" : "ok";
  const areaDeny = areaRules(facts, ln, req.area);
  candidates.forEach((cand, i) => {
    const why = cand.reentry ? "re-entry within the deduction interval (R5)" : `costs ${cand.cost} (R4)`;
    if (i === 0 && areaDeny)
      base.trace.push(row(cand.mp.id, cand.accessType.id, "skipped", areaDeny.reason, areaDeny.detail));
    else if (i === 0) {
      // sync.offline keep-deciding: the trace says the cache was stale when it decided.
      const stale = ctx.offline.stale ? `; ${ctx.offline.words}, decided anyway (${ctx.offline.after})` : "";
      base.trace.push(
        row(
          cand.mp.id,
          cand.accessType.id,
          "chosen",
          reason,
          `${why}, priority ${cand.item.priority}${stale}`,
        ),
      );
    } else
      base.trace.push(
        row(
          cand.mp.id,
          cand.accessType.id,
          "skipped",
          cand.reentry ? "reentry" : "ok",
          `not chosen: ${chosen.mp.id} comes first (R9)`,
        ),
      );
  });
  if (areaDeny) return deny(base, areaDeny.reason, areaDeny.message);

  const unlimited = chosen.product.credits === 0;
  base.multipackId = chosen.mp.id;
  base.productId = chosen.product.id;
  base.accessTypeId = chosen.accessType.id;
  base.creditsDeducted = chosen.cost;
  base.creditsRemaining = unlimited ? null : chosen.remaining - chosen.cost;
  base.creditsTotal = unlimited ? null : chosen.mp.creditsTotal;
  return grant(
    base,
    reason,
    grantMessage(reason, member.name, creditsText(base.creditsRemaining, base.creditsTotal)),
  );
}

/** R9: re-entry first, then lowest priority, cost 0 before paid, FIFO (or expiresFirst), then id. */
function compareCandidates(tieBreak: "fifo" | "expiresFirst") {
  return (a: Candidate, b: Candidate): number => {
    if (a.reentry !== b.reentry) return a.reentry ? -1 : 1;
    if (a.item.priority !== b.item.priority) return a.item.priority - b.item.priority;
    if ((a.cost === 0) !== (b.cost === 0)) return a.cost === 0 ? -1 : 1;
    if (tieBreak === "expiresFirst") {
      const au = a.dates.until ?? "9999-12-31";
      const bu = b.dates.until ?? "9999-12-31";
      if (au !== bu) return au < bu ? -1 : 1;
    } else if (a.mp.purchasedAt !== b.mp.purchasedAt) return a.mp.purchasedAt - b.mp.purchasedAt;
    if (a.mp.id !== b.mp.id) return a.mp.id < b.mp.id ? -1 : 1;
    return a.accessType.id < b.accessType.id ? -1 : a.accessType.id > b.accessType.id ? 1 : 0;
  };
}

/** R12: anti-passback and capacity for an entry into the area. */
function areaRules(
  facts: Facts,
  ln: LocalNow,
  areaId: string,
): { reason: "anti_passback" | "area_full"; detail: string; message: string } | null {
  const area = facts.site.areas.get(areaId);
  if (!area) return null;
  const name = areaName(area.id, area.name);
  // Presence is forgotten at local midnight; a movement after `now` (a what-if in the past) is ignored.
  const p =
    facts.presence && facts.presence.lastAt <= ln.ms && facts.presence.lastAt >= ln.startOfDay
      ? facts.presence
      : null;
  const apb = area.antiPassback;
  if (apb?.mode === "hard" && p?.lastDirection === "in")
    return {
      reason: "anti_passback",
      detail: "already inside: no exit since the last entry (R12)",
      message: "Already inside — please scan out first",
    };
  if (apb?.mode === "timed" && apb.minutes && facts.presence?.lastInAt != null) {
    const since = ln.ms - facts.presence.lastInAt;
    const wait = apb.minutes * 60_000 - since;
    if (since >= 0 && wait > 0)
      return {
        reason: "anti_passback",
        detail: `entered ${Math.floor(since / 60_000)} min ago, ${apb.minutes} min must pass (R12)`,
        message: `Please wait ${Math.ceil(wait / 60_000)} min`,
      };
  }
  const alreadyIn = p?.lastDirection === "in";
  if (area.capacity !== undefined && !alreadyIn && facts.presentCount >= area.capacity)
    return {
      reason: "area_full",
      detail: `${facts.presentCount} of ${area.capacity} present (R12)`,
      message: `${name} is full`,
    };
  return null;
}

/** R13: the reason of the multipack or candidate that got furthest. */
function denyFurthest(
  base: Decision,
  failures: Failure[],
  ln: LocalNow,
  facts: Facts,
  areaId: string,
): Decision {
  let best = failures[0] as Failure;
  for (const f of failures) {
    const stage = STAGE[f.reason] ?? 0;
    const bestStage = STAGE[best.reason] ?? 0;
    // Among expired multipacks the latest expiry is the one staff want to hear about.
    const laterExpiry =
      f.reason === "expired" &&
      best.reason === "expired" &&
      (f.dates?.until ?? "") > (best.dates?.until ?? "");
    if (stage > bestStage || laterExpiry) best = f;
  }
  return deny(base, best.reason, failureMessage(best, failures, ln, facts, areaId));
}

/** R15: the words for a deny, from the failure that decided it (and its peers, for opening times). */
function failureMessage(f: Failure, all: Failure[], ln: LocalNow, facts: Facts, areaId: string): string {
  const area = facts.site.areas.get(areaId);
  switch (f.reason) {
    case "inactive":
      return "Membership not active — please see reception";
    case "expired":
      return `Expired on ${displayDate(f.dates?.until ?? ln.date)}`;
    case "not_yet_valid":
      if (f.dates && f.dates.from > ln.date) return `Valid from ${displayDate(f.dates.from)}`;
      return `Valid from ${localParts(f.mp.purchasedAt, ln.zone).time}`;
    case "suspended":
      return `Suspended until ${displayDate(f.info?.until ?? ln.date)}`;
    case "wrong_area":
      return "Not valid for this area";
    case "outside_time_window": {
      // R15: the area opens for this member at the earliest opening of any closed item, not only
      // at the next opening of the first item tried.
      const closed = all.filter((g) => g.reason === "outside_time_window" && g.accessType);
      if (closed.length === 0) return "Not valid at this time";
      let next: { date: string; time: string } | null = null;
      for (const g of closed) {
        const n = nextOpening(g.accessType as AccessType, ln, facts.site.holidays);
        if (n && (!next || n.date < next.date || (n.date === next.date && n.time < next.time))) next = n;
      }
      const name = areaName(areaId, area?.name);
      return opensText(name, ln.date, next ? { ...next, weekday: isoWeekday(next.date) } : null);
    }
    case "card_model_missing":
      return `Valid ${f.info?.modelIds?.join(" or ") ?? "card model"} card required`;
    case "no_credits":
      return `No credits left — ${f.info?.remaining ?? 0}/${f.info?.total ?? 0}`;
    case "allowance_used":
      return `Included visits used up this ${f.info?.period === "chargePeriod" ? "period" : f.info?.period}`;
    case "limit_reached":
      return `Limit reached: ${f.info?.count} per ${f.info?.period === "chargePeriod" ? "period" : f.info?.period}`;
    case "offline_stale":
      return "Offline too long — paid entry needs reception";
    default:
      return "Access denied";
  }
}

function row(
  multipackId: string | null,
  accessTypeId: string | null,
  outcome: TraceRow["outcome"],
  reason: TraceRow["reason"],
  detail: string,
): TraceRow {
  return { multipackId, accessTypeId, outcome, reason, detail };
}

function deny(d: Decision, reason: DenyReason, message: string): Decision {
  d.decision = "deny";
  d.reason = reason;
  d.message = message;
  return d;
}

function grant(d: Decision, reason: "ok" | "reentry" | "booking" | "exit", message: string): Decision {
  d.decision = "grant";
  d.reason = reason;
  d.message = message;
  return d;
}

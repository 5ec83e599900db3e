import { canonicalCard } from "../../config/cardNumber.js";
import type { DenyReason, GrantReason } from "../../config/protocol/reasons.js";
import type { Decision, DecisionRequest, TraceRow } from "./types.js";

/** A decision before any rule ran: a deny `unknown_card` (R1) with every field of cli.md set. */
export function newDecision(req: DecisionRequest, now: number): Decision {
  return {
    decision: "deny",
    reason: "unknown_card",
    at: new Date(now).toISOString(),
    card: canonicalCard(req.card),
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
}

/** One trace row. */
export function traceRow(
  multipackId: string | null,
  accessTypeId: string | null,
  outcome: TraceRow["outcome"],
  reason: TraceRow["reason"],
  detail: string,
): TraceRow {
  return { multipackId, accessTypeId, outcome, reason, detail };
}

/** Ends a decision as a deny. */
export function deny(d: Decision, reason: DenyReason, message: string): Decision {
  d.decision = "deny";
  d.reason = reason;
  d.message = message;
  return d;
}

/** Ends a decision as a grant. */
export function grant(d: Decision, reason: GrantReason, message: string): Decision {
  d.decision = "grant";
  d.reason = reason;
  d.message = message;
  return d;
}

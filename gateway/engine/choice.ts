import type { Candidate } from "./context.js";

/**
 * R9: the order of candidates, best first: a re-entry (R5), then the lowest priority, then cost 0
 * before paid, then the lower cost, then FIFO (earliest purchase; or with `expiresFirst` the earliest
 * validUntil), then the multipack id. (A booking, R10, beats all of these before any candidate is looked at.)
 */
export function compareCandidates(tieBreak: "fifo" | "expiresFirst") {
  return (a: Candidate, b: Candidate): number => {
    if (a.reentry !== b.reentry) return a.reentry ? -1 : 1;
    if (a.item.priority !== b.item.priority) return a.item.priority - b.item.priority;
    if ((a.cost === 0) !== (b.cost === 0)) return a.cost === 0 ? -1 : 1;
    // Seed 001: credits go to the cheapest eligible class.
    if (a.cost !== b.cost) return a.cost - b.cost;
    if (tieBreak === "expiresFirst") {
      const au = a.dates.until ?? "9999-12-31";
      const bu = b.dates.until ?? "9999-12-31";
      if (au !== bu) return au < bu ? -1 : 1;
    } else if (a.mp.purchasedAt !== b.mp.purchasedAt) return a.mp.purchasedAt - b.mp.purchasedAt;
    if (a.mp.id !== b.mp.id) return a.mp.id < b.mp.id ? -1 : 1;
    return a.accessType.id < b.accessType.id ? -1 : a.accessType.id > b.accessType.id ? 1 : 0;
  };
}

/** R9: the candidates sorted best first (a new array). */
export function chooseOrder(candidates: Candidate[], tieBreak: "fifo" | "expiresFirst"): Candidate[] {
  return [...candidates].sort(compareCandidates(tieBreak));
}

import type { Failure } from "./context.js";
import type { DenyReason } from "./types.js";

/** R13: how far a multipack or candidate got; the deny reason is the furthest one. */
export const STAGE: Partial<Record<DenyReason, number>> = {
  inactive: 1,
  expired: 2,
  not_yet_valid: 2,
  suspended: 3,
  wrong_area: 4,
  outside_time_window: 5,
  card_model_missing: 6,
  no_credits: 7,
  allowance_used: 8,
  limit_reached: 9,
  offline_stale: 10,
  anti_passback: 11,
  area_full: 12,
};

/**
 * R13: of the failures (at least one), the one that got furthest in R13's order; among expired
 * multipacks the latest expiry, the one staff want to hear about.
 */
export function furthestFailure(failures: Failure[]): Failure {
  let best = failures[0] as Failure;
  for (const f of failures) {
    const stage = STAGE[f.reason] ?? 0;
    const bestStage = STAGE[best.reason] ?? 0;
    const laterExpiry =
      f.reason === "expired" &&
      best.reason === "expired" &&
      (f.dates?.until ?? "") > (best.dates?.until ?? "");
    if (stage > bestStage || laterExpiry) best = f;
  }
  return best;
}

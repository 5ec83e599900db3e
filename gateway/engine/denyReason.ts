import { REASON_STAGE } from "../../config/protocol/reasons.js";
import type { Failure } from "./context.js";

/**
 * R13: of the failures (at least one), the one that got furthest in R13's order; among expired
 * multipacks the latest expiry, the one staff want to hear about.
 */
export function furthestFailure(failures: Failure[]): Failure {
  let best = failures[0] as Failure;
  for (const f of failures) {
    // R13: the stages come with the reason codes (config/protocol/reasons.ts).
    const stage = REASON_STAGE[f.reason];
    const bestStage = REASON_STAGE[best.reason];
    const laterExpiry =
      f.reason === "expired" &&
      best.reason === "expired" &&
      (f.dates?.until ?? "") > (best.dates?.until ?? "");
    if (stage > bestStage || laterExpiry) best = f;
  }
  return best;
}

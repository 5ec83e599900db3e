import type { RuleFailure } from "./context.js";
import type { MultipackFact } from "./types.js";

/** R16: remaining credits = creditsTotal (additions included) − the sum of usage, deductions and refunds. */
export function remainingCredits(mp: MultipackFact): number {
  return mp.creditsTotal - mp.used;
}

/** R6: a candidate with cost c > 0 needs at least c credits remaining (else `no_credits`). */
export function creditsFailure(cost: number, remaining: number, total: number): RuleFailure | null {
  if (cost <= 0 || remaining >= cost) return null;
  return {
    reason: "no_credits",
    detail: `needs ${cost}, ${remaining} of ${total} left (R6)`,
    info: { remaining, total },
  };
}

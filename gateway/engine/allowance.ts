import type { Item } from "../../config/site.js";
import type { Ctx, RuleFailure } from "./context.js";
import { countVisits, type PeriodAnchor, periodAround } from "./periods.js";
import type { MultipackFact, VisitFact } from "./types.js";

/** R7: an item's allowance this period: how many visits it allows, how many were used, how many are left. */
export interface AllowanceLeft {
  used: number;
  available: number;
  left: number;
  periodEnd: string | null;
}

/** R7: visits left through this item this period (with rollover of the previous period's unused count). */
export function allowanceLeft(ctx: Ctx, mp: MultipackFact, item: Item, anchor: PeriodAnchor): AllowanceLeft {
  const a = item.allowance;
  if (!a)
    return { used: 0, available: Number.POSITIVE_INFINITY, left: Number.POSITIVE_INFINITY, periodEnd: null };
  const through = (v: VisitFact) => v.multipackId === mp.id && v.accessTypeId === item.accessType;
  const current = periodAround(a.period, ctx.now, anchor, ctx.cache);
  const used = countVisits(ctx.visits, current.start, current.end, through);
  let available = a.count;
  if (a.rollover) {
    const prev = periodAround(a.period, ctx.now, anchor, ctx.cache, -1);
    // Only a period in which the multipack already existed carries anything over.
    if (anchor.dates.from < current.startDate) {
      const usedPrev = countVisits(ctx.visits, prev.start, prev.end, through);
      available += Math.max(0, a.count - usedPrev);
    }
  }
  return { used, available, left: available - used, periodEnd: current.endDate };
}

/**
 * R7: an item whose allowance is used up this period is skipped (`allowance_used`), so the next
 * candidate is tried: an allowance never denies on its own while another candidate can pay.
 */
export function allowanceFailure(
  ctx: Ctx,
  mp: MultipackFact,
  item: Item,
  anchor: PeriodAnchor,
): RuleFailure | null {
  if (!item.allowance) return null;
  const a = allowanceLeft(ctx, mp, item, anchor);
  if (a.left > 0) return null;
  return {
    reason: "allowance_used",
    detail: `allowance of ${a.available} per ${item.allowance.period} used (R7)`,
    info: { count: a.available, period: item.allowance.period },
  };
}

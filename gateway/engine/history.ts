import { type LocalNow, localNow } from "./clock.js";
import { type PeriodAnchor, periodAround } from "./periods.js";
import type { MultipackFact, SiteModel } from "./types.js";
import { validityDates } from "./validity.js";

/**
 * The earliest instant whose visits a decision at `now` can depend on: the longest deduction
 * interval (R5) and the earliest period start of any allowance (R7, with the previous period for
 * rollover) or limit (R8) that applies to these multipacks. The store loads visits from here on, so
 * a decision costs the same whatever the member's full history.
 */
export function historyStart(
  site: SiteModel,
  multipacks: MultipackFact[],
  now: number,
  ln?: LocalNow,
): number {
  const local = ln ?? localNow(now, site.zone);
  const cache = new Map<string, number>();
  let earliest = now - site.maxIntervalMs;
  for (const mp of multipacks) {
    const product = site.products.get(mp.productId);
    if (!product) continue;
    const anchor: PeriodAnchor = {
      dates: validityDates(mp, product, site.zone),
      chargePeriod: product.chargePeriod,
    };
    for (const item of product.items) {
      const a = item.allowance;
      if (!a) continue;
      earliest = Math.min(earliest, periodAround(a.period, local, anchor, cache, a.rollover ? -1 : 0).start);
    }
    for (const limit of site.limits) {
      if (limit.products.length > 0 && !limit.products.includes(product.id)) continue;
      earliest = Math.min(earliest, periodAround(limit.period, local, anchor, cache).start);
    }
  }
  return earliest;
}

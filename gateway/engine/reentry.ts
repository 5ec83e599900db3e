import type { Item, Product } from "../../config/site.js";
import type { Ctx } from "./context.js";
import type { SiteModel } from "./types.js";

/** R5: the deduction interval of an item: the item's value, else the product's, else the site default. */
export function deductionInterval(site: SiteModel, product: Product, item: Item): number {
  return (
    item.deductionIntervalMinutes ?? product.deductionIntervalMinutes ?? site.site.deductionIntervalMinutes
  );
}

/**
 * R5: a counted entry through this multipack into this area within the interval (that many minutes
 * included) anchors a re-entry; free re-entries do not extend it, as they are not counted visits.
 * R20: an area of another site of a chain is another area, even under the same id.
 */
export function isReentry(ctx: Ctx, multipackId: string, minutes: number): boolean {
  if (minutes <= 0) return false;
  const since = ctx.now.ms - minutes * 60_000;
  const here = ctx.facts.site.site.id;
  return ctx.visits.some(
    (v) => v.multipackId === multipackId && v.area === ctx.area && v.site === here && v.at >= since,
  );
}

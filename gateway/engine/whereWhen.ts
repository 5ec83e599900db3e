import type { AccessType, Item, Product } from "../../config/site.js";
import type { Ctx, RuleFailure } from "./context.js";
import type { SiteModel } from "./types.js";
import { accessTypeOpen } from "./windows.js";

/** R3 (where): the product's items whose access type covers the area; none means `wrong_area`. */
export function itemsForArea(site: SiteModel, product: Product, area: string): Item[] {
  return product.items.filter((i) => site.accessTypes.get(i.accessType)?.areas.includes(area));
}

/**
 * R3 (when): the local time falls in one of the access type's windows and dates
 * (`outside_time_window`), and a card model it requires is held (`card_model_missing`).
 */
export function whenFailure(ctx: Ctx, product: Product, t: AccessType): RuleFailure | null {
  if (!accessTypeOpen(t, ctx.now, ctx.facts.site.holidays))
    return { reason: "outside_time_window", detail: `${t.id} is closed at this time (R3)` };
  if (t.requiresCardModel && !holdsCardModel(ctx, product))
    return {
      reason: "card_model_missing",
      detail: `${t.id} needs a valid card model: ${product.cardModels.join(", ") || "none listed"} (R3)`,
      info: { modelIds: product.cardModels },
    };
  return null;
}

/** R3: the member holds one of the product's card models, valid on the local date. */
function holdsCardModel(ctx: Ctx, product: Product): boolean {
  const today = ctx.now.date;
  return (ctx.facts.member?.cardModels ?? []).some(
    (m) =>
      product.cardModels.includes(m.model) &&
      (!m.validFrom || m.validFrom <= today) &&
      (!m.validTo || today <= m.validTo),
  );
}

import type { AccessType, Limit, Product } from "../../config/site.js";
import type { Ctx, RuleFailure } from "./context.js";
import { atWords, limitCoversSite } from "./homeSite.js";
import { countVisits, type PeriodAnchor, periodAround } from "./periods.js";
import type { MemberFact, VisitFact } from "./types.js";

/**
 * R8: the first limit whose scope covers this entry and whose amount is reached (`limit_reached`),
 * or null. Several limits are ANDed: every one must pass. R20: a limit applies only at the sites its
 * `at` covers, and counts only the visits made there.
 */
export function limitFailure(
  ctx: Ctx,
  t: AccessType,
  product: Product,
  anchor: PeriodAnchor,
): RuleFailure | null {
  const { member, site } = ctx.facts;
  for (const limit of site.limits) {
    if (!inScope(limit, t.id, ctx.area, product.id)) continue;
    if (!limitCoversSite(limit.at, member, site.site.id)) continue;
    const p = periodAround(limit.period, ctx.now, anchor, ctx.cache);
    const count = countVisits(ctx.visits, p.start, p.end, (v) => visitInScope(limit, v, member));
    if (count >= limit.amount)
      return {
        reason: "limit_reached",
        detail: `limit ${limit.id}: ${limit.amount} per ${limit.period} reached (R8)${atWords(limit.at, member)}`,
        info: { count: limit.amount, period: limit.period },
      };
  }
  return null;
}

/** R8: OR within a list, AND across lists; a dimension not listed (empty list) matches everything. */
function inScope(limit: Limit, accessTypeId: string, area: string, productId: string): boolean {
  return (
    (limit.accessTypes.length === 0 || limit.accessTypes.includes(accessTypeId)) &&
    (limit.areas.length === 0 || limit.areas.includes(area)) &&
    (limit.products.length === 0 || limit.products.includes(productId))
  );
}

/**
 * R8: a counted visit is in a limit's scope by the same test (a visit without an access type or
 * product matches only unlisted dimensions); R20: and made at a site the limit's `at` covers.
 */
function visitInScope(limit: Limit, v: VisitFact, member: MemberFact | null): boolean {
  return (
    limitCoversSite(limit.at, member, v.site) &&
    (limit.accessTypes.length === 0 ||
      (v.accessTypeId !== null && limit.accessTypes.includes(v.accessTypeId))) &&
    (limit.areas.length === 0 || limit.areas.includes(v.area)) &&
    (limit.products.length === 0 || (v.productId !== null && limit.products.includes(v.productId)))
  );
}

import type { AccessType, Item, Product } from "../../config/site.js";
import { allowanceFailure } from "./allowance.js";
import type { Candidate, Ctx, Failure, RuleFailure } from "./context.js";
import { creditsFailure, remainingCredits } from "./credits.js";
import { limitFailure } from "./limits.js";
import { memberCodeFailure } from "./memberCodes.js";
import type { PeriodAnchor } from "./periods.js";
import { deductionInterval, isReentry } from "./reentry.js";
import type { MultipackFact } from "./types.js";
import { usability, type ValidityDates } from "./validity.js";
import { itemsForArea, whenFailure } from "./whereWhen.js";

/** The candidates of one multipack, and the failures of what did not survive. */
export interface Evaluation {
  candidates: Candidate[];
  failures: Failure[];
}

/**
 * R4: every (usable multipack, matching item) pair is a candidate. R2 (validity) and R3 (area) are
 * asked of the multipack once, the rest of R3 and R5–R8 of each item.
 */
export function evaluateMultipack(ctx: Ctx, mp: MultipackFact): Evaluation {
  const site = ctx.facts.site;
  const product = site.products.get(mp.productId);
  const out: Evaluation = { candidates: [], failures: [] };
  if (!product) {
    // Configuration no longer knows the product: nothing can be sold against it.
    const stub = { id: mp.productId, credits: 0, cardModels: [], items: [] } as unknown as Product;
    const detail = `unknown product "${mp.productId}"`;
    out.failures.push({ reason: "inactive", mp, product: stub, accessType: null, detail });
    return out;
  }
  const u = usability(mp, product, site.zone, ctx.now.ms, ctx.now.date);
  if (!u.usable) {
    const detail = usabilityDetail(u.reason, u.dates, u.until);
    const info = { until: u.until };
    out.failures.push({ reason: u.reason, mp, product, accessType: null, detail, dates: u.dates, info });
    return out;
  }
  const items = itemsForArea(site, product, ctx.area);
  if (items.length === 0) {
    const detail = `no item of ${product.id} covers ${ctx.area} (R3)`;
    out.failures.push({ reason: "wrong_area", mp, product, accessType: null, detail });
    return out;
  }
  for (const item of items) {
    const r = evaluateItem(ctx, mp, product, item, u.dates);
    if ("cost" in r) out.candidates.push(r);
    else out.failures.push(r);
  }
  return out;
}

/** R3, R19, R5–R8 and sync.offline for one item of a usable multipack: a candidate, or why not. */
function evaluateItem(
  ctx: Ctx,
  mp: MultipackFact,
  product: Product,
  item: Item,
  dates: ValidityDates,
): Candidate | Failure {
  const site = ctx.facts.site;
  const t = site.accessTypes.get(item.accessType) as AccessType;
  const failed = (f: RuleFailure): Failure => ({ ...f, mp, product, accessType: t, dates });
  const when = whenFailure(ctx, product, t) ?? memberCodeFailure(ctx.facts.member, item);
  if (when) return failed(when);
  const reentry = isReentry(ctx, mp.id, deductionInterval(site, product, item));
  // R4: an unlimited product (credits 0) costs nothing; R5: nor does a re-entry.
  const cost = reentry || product.credits === 0 ? 0 : item.credits;
  const remaining = remainingCredits(mp);
  const credits = creditsFailure(cost, remaining, mp.creditsTotal);
  if (credits) return failed(credits);
  if (!reentry) {
    // R5: a re-entry is the same visit: it does not count against allowances or limits.
    const anchor: PeriodAnchor = { dates, chargePeriod: product.chargePeriod };
    const counted = allowanceFailure(ctx, mp, item, anchor) ?? limitFailure(ctx, t, product, anchor);
    if (counted) return failed(counted);
  }
  if (cost > 0 && ctx.offline.stale && ctx.offline.after === "deny-paid") {
    // sync.offline deny-paid: a cache too old to trust may not charge credits; free entries
    // (unlimited packs, re-entries, bookings, exits) still pass.
    const detail = `would charge ${cost}, but ${ctx.offline.words} (sync.offline: deny-paid)`;
    return failed({ reason: "offline_stale", detail });
  }
  return { mp, product, item, accessType: t, cost, reentry, remaining, dates };
}

function usabilityDetail(reason: string, dates: ValidityDates, until?: string): string {
  if (reason === "inactive") return "status stored (R2)";
  if (reason === "not_yet_valid") return `valid from ${dates.from} (R2)`;
  if (reason === "expired") return `valid until ${dates.until} (R2)`;
  return `suspended until ${until} (R2)`;
}

import { allowanceLeft } from "./allowance.js";
import { localNow } from "./clock.js";
import { makeCtx } from "./context.js";
import type { PeriodAnchor } from "./periods.js";
import type { Facts } from "./types.js";
import { usability } from "./validity.js";

/** One multipack as `balance` shows it. */
export interface MultipackBalance {
  multipackId: string;
  productId: string;
  productName: string | null;
  purchasedAt: string;
  validFrom: string;
  validUntil: string | null;
  /** `active` when usable now, else the R2 reason (`inactive`, `not_yet_valid`, `expired`, `suspended`). */
  status: "active" | "inactive" | "not_yet_valid" | "expired" | "suspended";
  unlimited: boolean;
  creditsRemaining: number | null;
  creditsTotal: number | null;
  allowances: {
    accessTypeId: string;
    period: string;
    count: number;
    used: number;
    left: number;
    periodEnds: string | null;
  }[];
}

/** The member's multipacks at `now`: dates, status, credits, allowances left this period (R2, R7, R16). */
export function balances(facts: Facts, now: number): MultipackBalance[] {
  const ln = localNow(now, facts.site.zone);
  const ctx = makeCtx(facts, now, "", null);
  return facts.multipacks.map((mp) => {
    const product = facts.site.products.get(mp.productId);
    const u = product ? usability(mp, product, facts.site.zone, now, ln.date) : null;
    const unlimited = !product || product.credits === 0;
    const anchor: PeriodAnchor | null =
      u && product ? { dates: u.dates, chargePeriod: product.chargePeriod } : null;
    return {
      multipackId: mp.id,
      productId: mp.productId,
      productName: product?.name ?? null,
      purchasedAt: new Date(mp.purchasedAt).toISOString(),
      validFrom: u?.dates.from ?? "",
      validUntil: u?.dates.until ?? null,
      status: !u ? "inactive" : u.usable ? "active" : u.reason,
      unlimited,
      creditsRemaining: unlimited ? null : mp.creditsTotal - mp.used,
      creditsTotal: unlimited ? null : mp.creditsTotal,
      allowances: (product?.items ?? [])
        .filter((i) => i.allowance && anchor)
        .map((i) => {
          const a = allowanceLeft(ctx, mp, i, anchor as PeriodAnchor);
          return {
            accessTypeId: i.accessType,
            period: i.allowance?.period ?? "",
            count: a.available,
            used: a.used,
            left: Math.max(0, a.left),
            periodEnds: a.periodEnd,
          };
        }),
    };
  });
}

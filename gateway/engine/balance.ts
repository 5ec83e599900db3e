import { allowanceLeft } from "./allowance.js";
import { type Ctx, makeCtx } from "./context.js";
import { remainingCredits } from "./credits.js";
import type { PeriodAnchor } from "./periods.js";
import type { Transfer } from "./transfer.js";
import type { Facts, MultipackFact } from "./types.js";
import { usability } from "./validity.js";

/** R18: one transfer as `balance` shows it (the instant in ISO 8601). */
export interface TransferBalance {
  from: string;
  to: string;
  credits: number;
  at: string;
  endedOn: string;
}

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
  /** With the credits R18 moved in or out by now. */
  creditsRemaining: number | null;
  creditsTotal: number | null;
  /** R18: credits carried over from earlier multipacks of the product. */
  transfersIn: TransferBalance[];
  /** R18: where this multipack's unused credits went when it ended, or null. */
  transferOut: TransferBalance | null;
  allowances: {
    accessTypeId: string;
    period: string;
    count: number;
    used: number;
    left: number;
    periodEnds: string | null;
  }[];
}

/** The member's multipacks at `now`: dates, status, credits, allowances left this period (R2, R7, R16, R18). */
export function balances(facts: Facts, now: number): MultipackBalance[] {
  const ctx = makeCtx(facts, now, "", null);
  return ctx.facts.multipacks.map((mp) => multipackBalance(ctx, mp));
}

function multipackBalance(ctx: Ctx, mp: MultipackFact): MultipackBalance {
  const { facts, now: ln } = ctx;
  const product = facts.site.products.get(mp.productId);
  const u = product ? usability(mp, product, facts.site.zone, ln.ms, ln.date) : null;
  const unlimited = !product || product.credits === 0;
  const anchor: PeriodAnchor | null =
    u && product ? { dates: u.dates, chargePeriod: product.chargePeriod } : null;
  const note = ctx.transfers.get(mp.id);
  return {
    multipackId: mp.id,
    productId: mp.productId,
    productName: product?.name ?? null,
    purchasedAt: new Date(mp.purchasedAt).toISOString(),
    validFrom: u?.dates.from ?? "",
    validUntil: u?.dates.until ?? null,
    status: !u ? "inactive" : u.usable ? "active" : u.reason,
    unlimited,
    creditsRemaining: unlimited ? null : remainingCredits(mp),
    creditsTotal: unlimited ? null : mp.creditsTotal,
    transfersIn: (note?.received ?? []).map(transferBalance),
    transferOut: note?.gave ? transferBalance(note.gave) : null,
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
}

function transferBalance(t: Transfer): TransferBalance {
  return { ...t, at: new Date(t.at).toISOString() };
}

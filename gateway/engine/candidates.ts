import type { AccessType, Item, Limit, Product } from "../../config/site.js";
import type { LocalNow } from "./clock.js";
import type { OfflineState } from "./offline.js";
import { type PeriodAnchor, periodAround } from "./periods.js";
import type { DenyReason, Facts, MultipackFact, VisitFact } from "./types.js";
import { usability, type ValidityDates } from "./validity.js";
import { accessTypeOpen } from "./windows.js";

/** R13: how far a multipack or candidate got; the deny reason is the furthest one. */
export const STAGE: Partial<Record<DenyReason, number>> = {
  inactive: 1,
  expired: 2,
  not_yet_valid: 2,
  suspended: 3,
  wrong_area: 4,
  outside_time_window: 5,
  card_model_missing: 6,
  no_credits: 7,
  allowance_used: 8,
  limit_reached: 9,
  offline_stale: 10,
  anti_passback: 11,
  area_full: 12,
};

/** A (usable multipack, matching item) pair that survived R2–R8 (R4). */
export interface Candidate {
  mp: MultipackFact;
  product: Product;
  item: Item;
  accessType: AccessType;
  cost: number;
  reentry: boolean;
  remaining: number;
  dates: ValidityDates;
}

/** A multipack or candidate that did not survive, with what a message needs. */
export interface Failure {
  reason: DenyReason;
  mp: MultipackFact;
  product: Product;
  accessType: AccessType | null;
  detail: string;
  dates?: ValidityDates;
  /** Suspension end, allowance/limit period, remaining credits… */
  info?: {
    until?: string;
    count?: number;
    period?: string;
    remaining?: number;
    total?: number;
    modelIds?: string[];
  };
}

/** Per-decision working state shared by the candidate checks. */
export interface Ctx {
  facts: Facts;
  now: LocalNow;
  area: string;
  visits: VisitFact[];
  cache: Map<string, number>;
  /** Whether the cache is stale under sync.offline (computed once per decision). */
  offline: OfflineState;
}

/** R2–R8 for one multipack: its candidates, and the failures of what did not survive. */
export function evaluateMultipack(
  ctx: Ctx,
  mp: MultipackFact,
): { candidates: Candidate[]; failures: Failure[] } {
  const site = ctx.facts.site;
  const product = site.products.get(mp.productId);
  const failures: Failure[] = [];
  const candidates: Candidate[] = [];
  if (!product) {
    // Configuration no longer knows the product: nothing can be sold against it.
    const stub = { id: mp.productId, credits: 0, cardModels: [], items: [] } as unknown as Product;
    failures.push({
      reason: "inactive",
      mp,
      product: stub,
      accessType: null,
      detail: `unknown product "${mp.productId}"`,
    });
    return { candidates, failures };
  }
  const u = usability(mp, product, site.zone, ctx.now.ms, ctx.now.date);
  if (!u.usable) {
    const detail = usabilityDetail(u.reason, u.dates, u.until);
    failures.push({
      reason: u.reason,
      mp,
      product,
      accessType: null,
      detail,
      dates: u.dates,
      info: { until: u.until },
    });
    return { candidates, failures };
  }
  const items = product.items.filter((i) => site.accessTypes.get(i.accessType)?.areas.includes(ctx.area));
  if (items.length === 0) {
    failures.push({
      reason: "wrong_area",
      mp,
      product,
      accessType: null,
      detail: `no item of ${product.id} covers ${ctx.area} (R3)`,
    });
    return { candidates, failures };
  }
  const anchor: PeriodAnchor = { dates: u.dates, chargePeriod: product.chargePeriod };
  const remaining = mp.creditsTotal - mp.used;
  for (const item of items) {
    const t = site.accessTypes.get(item.accessType) as AccessType;
    const fail = (reason: DenyReason, detail: string, info?: Failure["info"]) =>
      failures.push({ reason, mp, product, accessType: t, detail, dates: u.dates, info });
    if (!accessTypeOpen(t, ctx.now, site.holidays)) {
      fail("outside_time_window", `${t.id} is closed at this time (R3)`);
      continue;
    }
    if (t.requiresCardModel && !holdsCardModel(ctx, product)) {
      fail(
        "card_model_missing",
        `${t.id} needs a valid card model: ${product.cardModels.join(", ") || "none listed"} (R3)`,
        {
          modelIds: product.cardModels,
        },
      );
      continue;
    }
    const interval =
      item.deductionIntervalMinutes ?? product.deductionIntervalMinutes ?? site.site.deductionIntervalMinutes;
    const reentry = interval > 0 && isReentry(ctx, mp.id, interval);
    const cost = reentry || product.credits === 0 ? 0 : item.credits;
    if (cost > 0 && remaining < cost) {
      fail("no_credits", `needs ${cost}, ${remaining} of ${mp.creditsTotal} left (R6)`, {
        remaining,
        total: mp.creditsTotal,
      });
      continue;
    }
    if (!reentry && item.allowance) {
      const a = allowanceLeft(ctx, mp, item, anchor);
      if (a.left <= 0) {
        fail("allowance_used", `allowance of ${a.available} per ${item.allowance.period} used (R7)`, {
          count: a.available,
          period: item.allowance.period,
        });
        continue;
      }
    }
    if (!reentry) {
      const limit = reachedLimit(ctx, t, product, anchor);
      if (limit) {
        fail("limit_reached", `limit ${limit.id}: ${limit.amount} per ${limit.period} reached (R8)`, {
          count: limit.amount,
          period: limit.period,
        });
        continue;
      }
    }
    if (cost > 0 && ctx.offline.stale && ctx.offline.after === "deny-paid") {
      // sync.offline deny-paid: a cache too old to trust may not charge credits; free entries
      // (unlimited packs, re-entries, bookings, exits) still pass.
      fail("offline_stale", `would charge ${cost}, but ${ctx.offline.words} (sync.offline: deny-paid)`);
      continue;
    }
    candidates.push({ mp, product, item, accessType: t, cost, reentry, remaining, dates: u.dates });
  }
  return { candidates, failures };
}

function usabilityDetail(reason: string, dates: ValidityDates, until?: string): string {
  if (reason === "inactive") return "status stored (R2)";
  if (reason === "not_yet_valid") return `valid from ${dates.from} (R2)`;
  if (reason === "expired") return `valid until ${dates.until} (R2)`;
  return `suspended until ${until} (R2)`;
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

/** R5: a counted entry through this multipack into this area within the interval anchors a re-entry. */
function isReentry(ctx: Ctx, multipackId: string, minutes: number): boolean {
  const since = ctx.now.ms - minutes * 60_000;
  return ctx.visits.some((v) => v.multipackId === multipackId && v.area === ctx.area && v.at >= since);
}

/** R7: visits left through this item this period (with rollover of the previous period's unused count). */
export function allowanceLeft(
  ctx: Ctx,
  mp: MultipackFact,
  item: Item,
  anchor: PeriodAnchor,
): { used: number; available: number; left: number; periodEnd: string | null } {
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

/** R8: the first limit whose scope covers this entry and whose amount is reached, or null. */
function reachedLimit(ctx: Ctx, t: AccessType, product: Product, anchor: PeriodAnchor): Limit | null {
  for (const limit of ctx.facts.site.limits) {
    if (!inScope(limit, t.id, ctx.area, product.id)) continue;
    const p = periodAround(limit.period, ctx.now, anchor, ctx.cache);
    const count = countVisits(ctx.visits, p.start, p.end, (v) => visitInScope(limit, v));
    if (count >= limit.amount) return limit;
  }
  return null;
}

/** R8: each listed dimension must match; an empty list matches everything. */
function inScope(limit: Limit, accessTypeId: string, area: string, productId: string): boolean {
  return (
    (limit.accessTypes.length === 0 || limit.accessTypes.includes(accessTypeId)) &&
    (limit.areas.length === 0 || limit.areas.includes(area)) &&
    (limit.products.length === 0 || limit.products.includes(productId))
  );
}

function visitInScope(limit: Limit, v: VisitFact): boolean {
  return (
    (limit.accessTypes.length === 0 ||
      (v.accessTypeId !== null && limit.accessTypes.includes(v.accessTypeId))) &&
    (limit.areas.length === 0 || limit.areas.includes(v.area)) &&
    (limit.products.length === 0 || (v.productId !== null && limit.products.includes(v.productId)))
  );
}

function countVisits(
  visits: VisitFact[],
  start: number,
  end: number,
  pred: (v: VisitFact) => boolean,
): number {
  let n = 0;
  for (const v of visits) if (v.at >= start && v.at < end && pred(v)) n++;
  return n;
}

import type { AccessType, Duration, Limit, Product, SiteConfig, Validity } from "../../config/site.js";
import { localDateOf, startOfLocalDay } from "./clock.js";

/** Days in a calendar period counted at its longest (sync.md "History horizon"). */
const LONGEST_DAYS = { day: 1, week: 7, month: 31, year: 366 } as const;
const MINUTES_PER_DAY = 1440;
const DAY_MS = 86_400_000;

/** A length in days, or null: unbounded (the history it reaches has no start the site fixes). */
type Reach = number | null;

/**
 * sync.md "History horizon": how many whole days of history the site's rules can still reach, or
 * null for no horizon (keep everything). The longest of: the deduction intervals (R5); allowance
 * (R7) and limit (R8) periods at their longest, twice an allowance period with rollover; the
 * products' charge periods; and the validity of the products a `validity` limit applies to.
 */
export function historyHorizonDays(site: SiteConfig): number | null {
  const reaches: Reach[] = [minutesInDays(site.site.deductionIntervalMinutes)];
  for (const product of site.products) reaches.push(...productReach(product));
  for (const limit of site.limits) reaches.push(...limitReach(limit, site));
  let longest = 0;
  for (const reach of reaches) {
    if (reach === null) return null;
    longest = Math.max(longest, reach);
  }
  return longest;
}

/**
 * sync.md "History horizon": the instant from which history is within a horizon of `days` at `now`:
 * the start of the local day holding `now − days × 24 h`. Counting back whole 24-hour days and then
 * to local midnight keeps every period the horizon counted (a day of 25 hours, a month of 31 days
 * ending at 23:59) inside it. Null days: no horizon, everything is within.
 */
export function horizonStart(days: number | null, now: number, zone: string): number {
  if (days === null) return Number.NEGATIVE_INFINITY;
  return startOfLocalDay(localDateOf(now - days * DAY_MS, zone), zone);
}

/** R5, R7 and the charge period: what one product's own settings reach back to. */
function productReach(product: Product): Reach[] {
  const reaches: Reach[] = [minutesInDays(product.deductionIntervalMinutes ?? 0)];
  if (product.chargePeriod) reaches.push(durationDays(product.chargePeriod));
  for (const item of product.items) {
    reaches.push(minutesInDays(item.deductionIntervalMinutes ?? 0));
    const a = item.allowance;
    if (!a) continue;
    const period = a.period === "chargePeriod" ? chargePeriodDays(product, "own") : LONGEST_DAYS[a.period];
    // R7: rollover adds the previous period's unused visits, so that period is counted too.
    reaches.push(a.rollover ? twice(period) : period);
  }
  return reaches;
}

/** R8: a calendar period as it is; a chargePeriod or validity one per product it applies to. */
function limitReach(limit: Limit, site: SiteConfig): Reach[] {
  if (limit.period !== "chargePeriod" && limit.period !== "validity") return [LONGEST_DAYS[limit.period]];
  // R8: these periods are anchored at the candidate's multipack, so each product in scope counts.
  const products = site.products.filter((p) => limitCanApply(limit, p, site.accessTypes));
  return products.map((p) =>
    limit.period === "validity" ? validityDays(p.validity, "any") : chargePeriodDays(p, "any"),
  );
}

/**
 * R8: whether a candidate of this product can fall in the limit's scope: the product is listed (or
 * none is), and one of its items has a listed access type (or none is) reaching a listed area (or
 * none is). An access type the site does not define is taken to reach every area.
 */
function limitCanApply(limit: Limit, product: Product, accessTypes: AccessType[]): boolean {
  if (limit.products.length > 0 && !limit.products.includes(product.id)) return false;
  return product.items.some((item) => {
    if (limit.accessTypes.length > 0 && !limit.accessTypes.includes(item.accessType)) return false;
    if (limit.areas.length === 0) return true;
    const type = accessTypes.find((t) => t.id === item.accessType);
    return type === undefined || type.areas.some((area) => limit.areas.includes(area));
  });
}

/**
 * Whose visits a period counts: an allowance only the multipack's own (R7), a limit anyone's in its
 * scope (R8).
 */
type Counted = "own" | "any";

/** R8: a product's charge period, or its whole validity when it has none (periods.ts does the same). */
function chargePeriodDays(product: Product, counted: Counted): Reach {
  return product.chargePeriod ? durationDays(product.chargePeriod) : validityDays(product.validity, counted);
}

/**
 * R2: a validity at its longest. None, `indefinite` and a fixed `until` date are unbounded: the
 * configuration does not say how long before `until` a multipack was bought. So is `fromFirstUse`
 * for a limit: until its first use the multipack's validity runs from its purchase, however long
 * ago, and a limit counts other multipacks' visits in it (only the multipack's own come after).
 */
function validityDays(validity: Validity | undefined, counted: Counted): Reach {
  if (validity === undefined || "indefinite" in validity || "until" in validity) return null;
  if ("fromFirstUse" in validity) return counted === "own" ? durationDays(validity.fromFirstUse) : null;
  return durationDays(validity);
}

/** A duration in days at its longest (a month 31 days, a year 366). */
function durationDays(d: Duration): number {
  if ("days" in d) return d.days;
  if ("weeks" in d) return 7 * d.weeks;
  if ("months" in d) return LONGEST_DAYS.month * d.months;
  return LONGEST_DAYS.year * d.years;
}

/** R5: a deduction interval in whole days, rounded up. */
function minutesInDays(minutes: number): number {
  return Math.ceil(minutes / MINUTES_PER_DAY);
}

function twice(reach: Reach): Reach {
  return reach === null ? null : 2 * reach;
}

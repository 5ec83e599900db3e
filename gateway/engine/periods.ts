import type { Duration } from "../../config/site.js";
import { addDays, addDuration, dayNumber, isoWeekday } from "./calendar.js";
import { type LocalNow, startOfLocalDay } from "./clock.js";
import type { VisitFact } from "./types.js";
import type { ValidityDates } from "./validity.js";

/** A period kind of R7 (allowances) and R8 (limits). */
export type PeriodKind = "day" | "week" | "month" | "year" | "chargePeriod" | "validity";

/** What anchors a multipack's own periods: its validity dates and the product's charge period. */
export interface PeriodAnchor {
  dates: ValidityDates;
  chargePeriod: Duration | undefined;
}

/** A period as local dates: `[startDate, endDate)`; endDate null = open. */
export interface DatePeriod {
  startDate: string;
  endDate: string | null;
}

/** A period as instants: `[start, end)` in ms. */
export interface InstantPeriod {
  start: number;
  end: number;
  /** The local date the period starts on (for messages and balance). */
  startDate: string;
  /** The first local date after the period, null = open. */
  endDate: string | null;
}

/**
 * The period of `kind` containing `today`, shifted by `offset` periods (−1: the previous one).
 * Weeks start on Monday (R7). `chargePeriod` is anchored at validFrom with the product's charge
 * period length (R8); without one, and for `validity`, the period is the whole validity.
 */
export function periodDates(
  kind: PeriodKind,
  today: string,
  anchor: PeriodAnchor | null,
  offset = 0,
): DatePeriod {
  switch (kind) {
    case "day":
      return { startDate: addDays(today, offset), endDate: addDays(today, offset + 1) };
    case "week": {
      const monday = addDays(today, 1 - isoWeekday(today) + 7 * offset);
      return { startDate: monday, endDate: addDays(monday, 7) };
    }
    case "month": {
      const first = addDuration(`${today.slice(0, 7)}-01`, { months: 1 }, offset);
      return { startDate: first, endDate: addDuration(first, { months: 1 }) };
    }
    case "year": {
      const first = `${Number(today.slice(0, 4)) + offset}-01-01`;
      return { startDate: first, endDate: addDuration(first, { years: 1 }) };
    }
    case "chargePeriod":
      if (anchor?.chargePeriod)
        return chargePeriodDates(anchor.dates.from, anchor.chargePeriod, today, offset);
      return validityPeriod(anchor, offset);
    case "validity":
      return validityPeriod(anchor, offset);
  }
}

function validityPeriod(anchor: PeriodAnchor | null, offset: number): DatePeriod {
  if (!anchor || offset !== 0) return { startDate: "0000-01-01", endDate: anchor ? anchor.dates.from : null };
  const until = anchor.dates.until;
  return { startDate: anchor.dates.from, endDate: until === null ? null : addDays(until, 1) };
}

function chargePeriodDates(from: string, cp: Duration, today: string, offset: number): DatePeriod {
  // Estimate which period today is in, then step to the exact one (month clamping makes lengths vary).
  let k: number;
  if ("days" in cp || "weeks" in cp) {
    const len = "days" in cp ? cp.days : cp.weeks * 7;
    k = Math.floor((dayNumber(today) - dayNumber(from)) / len);
  } else {
    const months = "months" in cp ? cp.months : cp.years * 12;
    const diff =
      (Number(today.slice(0, 4)) - Number(from.slice(0, 4))) * 12 +
      Number(today.slice(5, 7)) -
      Number(from.slice(5, 7));
    k = Math.floor(diff / months);
  }
  k = Math.max(0, k);
  while (k > 0 && addDuration(from, cp, k) > today) k--;
  while (addDuration(from, cp, k + 1) <= today) k++;
  k += offset;
  return { startDate: addDuration(from, cp, k), endDate: addDuration(from, cp, k + 1) };
}

/** Turns a date period into instants in the site's zone, caching the luxon work per decision. */
export function toInstants(p: DatePeriod, zone: string, cache: Map<string, number>): InstantPeriod {
  const at = (date: string) => {
    let ms = cache.get(date);
    if (ms === undefined) {
      ms = startOfLocalDay(date, zone);
      cache.set(date, ms);
    }
    return ms;
  };
  return {
    start: p.startDate === "0000-01-01" ? Number.NEGATIVE_INFINITY : at(p.startDate),
    end: p.endDate === null ? Number.POSITIVE_INFINITY : at(p.endDate),
    startDate: p.startDate,
    endDate: p.endDate,
  };
}

/** Convenience: the instant period of `kind` around `now`. */
export function periodAround(
  kind: PeriodKind,
  now: LocalNow,
  anchor: PeriodAnchor | null,
  cache: Map<string, number>,
  offset = 0,
): InstantPeriod {
  return toInstants(periodDates(kind, now.date, anchor, offset), now.zone, cache);
}

/** R7/R8: how many visits in `[start, end)` satisfy `pred`. */
export function countVisits(
  visits: VisitFact[],
  start: number,
  end: number,
  pred: (v: VisitFact) => boolean,
): number {
  let n = 0;
  for (const v of visits) if (v.at >= start && v.at < end && pred(v)) n++;
  return n;
}

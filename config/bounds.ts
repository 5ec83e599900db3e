/**
 * The ranges every number and date of the data files must lie in. They are far wider than any
 * facility needs, and narrow enough that no value inside them can break date arithmetic or a
 * message later (a validity of 1e15 days made every scan of its holder throw). README "Data files"
 * lists them; the schemas state them in their messages.
 */
import { z } from "zod";

/** Dates and instants lie in these years (inclusive). */
export const MIN_YEAR = 1970;
export const MAX_YEAR = 2200;
/** The first and last dates allowed, for messages. */
export const MIN_DATE = `${MIN_YEAR}-01-01`;
export const MAX_DATE = `${MAX_YEAR}-12-31`;

/** A validity or charge period is at most 100 years, in each unit. */
export const MAX_DURATION = { days: 36_525, weeks: 5_217, months: 1_200, years: 100 } as const;
/** Credits of a product, a multipack, an item or a ledger entry (0 = unlimited for a product). */
export const MAX_CREDITS = 1_000_000;
/** Minutes of a deduction interval, anti-passback or early booking: one year. */
export const MAX_MINUTES = 525_600;
/** People in an area at once. */
export const MAX_CAPACITY = 100_000;
/** Entries of an allowance or a limit per period. */
export const MAX_COUNT = 100_000;
/** An item's priority (R9: the lowest wins). */
export const MIN_PRIORITY = -1_000;
export const MAX_PRIORITY = 1_000;
/** Characters of a card number as written in a file. */
export const MAX_CARD_LENGTH = 64;

/** An integer in `min..max`; the message of each bound names it (and what it means, when given). */
export function boundedInt(min: number, max: number, meaning?: string): z.ZodNumber {
  const note = meaning === undefined ? "" : ` (${meaning})`;
  return z
    .number()
    .int()
    .min(min, { error: `at least ${min}` })
    .max(max, { error: `at most ${max}${note}` });
}

/** Why a `YYYY-…` date or instant's year is outside MIN_YEAR..MAX_YEAR, or undefined. */
export function yearProblem(text: string): string | undefined {
  const year = Number(text.slice(0, 4));
  if (year >= MIN_YEAR && year <= MAX_YEAR) return undefined;
  return `expected a date between ${MIN_DATE} and ${MAX_DATE}`;
}

type Duration = { days: number } | { weeks: number } | { months: number } | { years: number };
/** What `validityEndProblem` needs of a multipack and its product. */
interface Dated {
  purchasedAt: string;
  validFrom?: string | undefined;
  validUntil?: string | undefined;
  suspensions: { from: string; to: string }[];
}
type ValidityRule = { until: string } | { fromFirstUse: Duration } | { indefinite: true } | Duration;

/**
 * R2 as the engine computes it (from + duration − 1 day, a clamped month end being the last day
 * itself, pushed by each suspension's days), when that last day falls after MAX_DATE: every date
 * of the multipack is in range, yet 2199 + 5 years would not be. `zone` gives purchasedAt's local
 * date. A `fromFirstUse` validity not started yet has no end to check.
 */
export function validityEndProblem(
  mp: Dated,
  validity: ValidityRule | undefined,
  zone: string,
): string | undefined {
  let last: number | undefined;
  if (mp.validUntil !== undefined) last = dayNumber(mp.validUntil);
  else if (validity === undefined || "indefinite" in validity) last = undefined;
  else if ("until" in validity) last = dayNumber(validity.until);
  else if ("fromFirstUse" in validity)
    last = mp.validFrom === undefined ? undefined : lastDayOf(mp.validFrom, validity.fromFirstUse);
  else last = lastDayOf(mp.validFrom ?? localDate(mp.purchasedAt, zone), validity);
  if (last === undefined) return undefined;
  for (const s of mp.suspensions) last += dayNumber(s.to) - dayNumber(s.from) + 1;
  if (last <= dayNumber(MAX_DATE)) return undefined;
  const day = new Date(last * DAY_MS).toISOString().slice(0, 10);
  return `the validity would end on ${day}, after ${MAX_DATE}`;
}

const DAY_MS = 86_400_000;
const dayNumber = (date: string) =>
  Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;

function lastDayOf(from: string, dur: Duration): number {
  if ("days" in dur) return dayNumber(from) + dur.days - 1;
  if ("weeks" in dur) return dayNumber(from) + dur.weeks * 7 - 1;
  const months = "months" in dur ? dur.months : dur.years * 12;
  const m = Number(from.slice(5, 7)) - 1 + months;
  const y = Number(from.slice(0, 4)) + Math.floor(m / 12);
  const d = Number(from.slice(8, 10));
  const monthEnd = new Date(Date.UTC(y, (m % 12) + 1, 0)).getUTCDate();
  const anniversary = Date.UTC(y, m % 12, Math.min(d, monthEnd)) / DAY_MS;
  // A clamped anniversary (31 January + 1 month → 28 February) is itself the last day.
  return d > monthEnd ? anniversary : anniversary - 1;
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

function localDate(instant: string, zone: string): string {
  let f = dayFormats.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone: zone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    });
    dayFormats.set(zone, f);
  }
  return f.format(Date.parse(instant));
}

/**
 * Pure calendar arithmetic on local dates `YYYY-MM-DD`. Calendar dates need no time zone: the
 * zone only matters when a date meets an instant (see clock.ts).
 */

/** Days since 1970-01-01 for a local date. */
export function dayNumber(date: string): number {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  return Math.floor(Date.UTC(y, m - 1, d) / 86_400_000);
}

/*
 * Performance: formatting a date (`toISOString`) is the costly step here, and decisions keep asking
 * for the same few dates; these pure results are memoised (bounded).
 */
const MEMO_MAX = 20_000;
const dates = new Map<number, string>();
const monthsLater = new Map<string, string>();

/** The local date for a day number. */
export function fromDayNumber(n: number): string {
  let date = dates.get(n);
  if (date === undefined) {
    date = new Date(n * 86_400_000).toISOString().slice(0, 10);
    if (dates.size >= MEMO_MAX) dates.clear();
    dates.set(n, date);
  }
  return date;
}

/** `date` plus `n` days (n may be negative). */
export function addDays(date: string, n: number): string {
  return fromDayNumber(dayNumber(date) + n);
}

/** Inclusive count of days from `from` to `to`. */
export function daysInclusive(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from) + 1;
}

/** R2: `date` plus `n` months; a day that does not exist in the target month is clamped to its last day. */
export function addMonths(date: string, n: number): string {
  const key = `${date} ${n}`;
  let later = monthsLater.get(key);
  if (later === undefined) {
    later = computeAddMonths(date, n);
    if (monthsLater.size >= MEMO_MAX) monthsLater.clear();
    monthsLater.set(key, later);
  }
  return later;
}

function computeAddMonths(date: string, n: number): string {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7)) - 1 + n;
  const d = Number(date.slice(8, 10));
  const ty = y + Math.floor(m / 12);
  const tm = ((m % 12) + 12) % 12;
  const last = new Date(Date.UTC(ty, tm + 1, 0)).getUTCDate();
  return new Date(Date.UTC(ty, tm, Math.min(d, last))).toISOString().slice(0, 10);
}

/** ISO weekday of a local date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
  const wd = new Date(dayNumber(date) * 86_400_000).getUTCDay();
  return wd === 0 ? 7 : wd;
}

/** A duration as used by validity and charge periods. */
export type CalendarDuration = { days: number } | { weeks: number } | { months: number } | { years: number };

/** The anniversary `date` + `n` × duration (clamped to the month's last day for months and years). */
export function addDuration(date: string, dur: CalendarDuration, n = 1): string {
  if ("days" in dur) return addDays(date, dur.days * n);
  if ("weeks" in dur) return addDays(date, dur.weeks * 7 * n);
  if ("months" in dur) return addMonths(date, dur.months * n);
  return addMonths(date, dur.years * 12 * n);
}

/**
 * R2: the last valid day of a duration starting on `from`: the day before the anniversary, except
 * that a clamped anniversary is itself the last day (2026-01-31 + 1 month → 2026-02-28).
 */
export function lastDayOf(from: string, dur: CalendarDuration): string {
  if ("days" in dur) return addDays(from, dur.days - 1);
  if ("weeks" in dur) return addDays(from, dur.weeks * 7 - 1);
  const months = "months" in dur ? dur.months : dur.years * 12;
  const anniversary = addMonths(from, months);
  const clamped = anniversary.slice(8, 10) !== from.slice(8, 10);
  return clamped ? anniversary : addDays(anniversary, -1);
}

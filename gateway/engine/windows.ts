import type { AccessType, DayKey, Window } from "../../config/site.js";
import { addDays, isoWeekday } from "./calendar.js";
import type { LocalNow } from "./clock.js";

const WEEKDAYS: DayKey[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** Minutes since midnight of "HH:MM" (24:00 → 1440). */
export function toMinutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** R3: the day key a date answers to: `hol` on a site holiday, else its weekday. */
export function dayKey(date: string, holidays: Set<string>): DayKey {
  return holidays.has(date) ? "hol" : (WEEKDAYS[isoWeekday(date) - 1] as DayKey);
}

/**
 * R3: does the local time fall in the window? `from` inclusive, `to` exclusive; a window whose `to`
 * is earlier than `from` runs past midnight and belongs to the day it starts on.
 */
export function inWindow(w: Window, now: LocalNow, today: DayKey, yesterday: DayKey): boolean {
  const from = toMinutes(w.from);
  const to = toMinutes(w.to);
  const m = now.minutes;
  if (to > from) return w.days.includes(today) && m >= from && m < to;
  return (w.days.includes(today) && m >= from) || (w.days.includes(yesterday) && m < to);
}

/** R3: the access type's windows and date range allow the local time. */
export function accessTypeOpen(t: AccessType, now: LocalNow, holidays: Set<string>): boolean {
  if (t.dates?.from && now.date < t.dates.from) return false;
  if (t.dates?.to && now.date > t.dates.to) return false;
  const today = dayKey(now.date, holidays);
  const yesterday = dayKey(addDays(now.date, -1), holidays);
  return t.windows.some((w) => inWindow(w, now, today, yesterday));
}

/**
 * R15: when the access type next opens after `now`, within a week: `{ date, time }` local, or null.
 * Used for messages like "Pool opens at 08:00".
 */
export function nextOpening(
  t: AccessType,
  now: LocalNow,
  holidays: Set<string>,
): { date: string; time: string } | null {
  for (let d = 0; d <= 7; d++) {
    const date = addDays(now.date, d);
    if (t.dates?.to && date > t.dates.to) return null;
    if (t.dates?.from && date < t.dates.from) continue;
    const key = dayKey(date, holidays);
    const starts = t.windows
      .filter((w) => w.days.includes(key))
      .map((w) => toMinutes(w.from))
      .filter((m) => d > 0 || m > now.minutes)
      .sort((a, b) => a - b);
    const first = starts[0];
    if (first !== undefined) {
      const hh = String(Math.floor(first / 60)).padStart(2, "0");
      const mm = String(first % 60).padStart(2, "0");
      return { date, time: `${hh}:${mm}` };
    }
  }
  return null;
}

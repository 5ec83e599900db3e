import { DateTime } from "luxon";

/** The scan instant seen in the site's zone: everything the calendar rules ask about `now`. */
export interface LocalNow {
  /** The instant, ms since the epoch (UTC). */
  ms: number;
  zone: string;
  /** Local date `YYYY-MM-DD`. */
  date: string;
  /** Minutes since local midnight on the wall clock (DST-aware: 02:30 is 150 on any day). */
  minutes: number;
  /** The instant local midnight began today. */
  startOfDay: number;
}

/*
 * Performance: luxon's zone arithmetic (Intl formatting under the hood) is the slow part of a
 * decision, and a decision asks the same questions several times (history, validity, periods). The
 * answers are pure functions of their arguments, so they are memoised; the memos are bounded.
 */
const MEMO_MAX = 20_000;
const dayStarts = new Map<string, number>();
const midnights = new Map<string, number>();
const localDates = new Map<string, string>();
let lastNow: LocalNow | null = null;

function remember<V>(memo: Map<string, V>, key: string, value: V): V {
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(key, value);
  return value;
}

/** Reads `now` in the site's time zone once per decision (luxon is the slow part of a decision). */
export function localNow(ms: number, zone: string): LocalNow {
  if (lastNow === null || lastNow.ms !== ms || lastNow.zone !== zone) {
    const dt = DateTime.fromMillis(ms, { zone });
    const date = dt.toISODate() as string;
    // `startOf("day")` resolves local midnight of `date` from the current offset: it depends on
    // nothing else, so it is remembered per zone, date and offset.
    const key = `${zone} ${date} ${dt.offset}`;
    lastNow = {
      ms,
      zone,
      date,
      minutes: dt.hour * 60 + dt.minute,
      startOfDay: midnights.get(key) ?? remember(midnights, key, dt.startOf("day").toMillis()),
    };
  }
  return { ...lastNow };
}

/** The instant a local date begins in `zone` (the first existing wall time of that day). */
export function startOfLocalDay(date: string, zone: string): number {
  const key = `${zone} ${date}`;
  let ms = dayStarts.get(key);
  if (ms === undefined) {
    ms = remember(dayStarts, key, DateTime.fromISO(date, { zone }).startOf("day").toMillis());
  }
  return ms;
}

/** The local date of an instant in `zone`. */
export function localDateOf(ms: number, zone: string): string {
  const key = `${zone} ${ms}`;
  let date = localDates.get(key);
  if (date === undefined) {
    date = remember(localDates, key, DateTime.fromMillis(ms, { zone }).toISODate() as string);
  }
  return date;
}

/** Local date and time of an instant, for messages: `{ date, time: "HH:MM" }`. */
export function localParts(ms: number, zone: string): { date: string; time: string } {
  const dt = DateTime.fromMillis(ms, { zone });
  return { date: dt.toISODate() as string, time: dt.toFormat("HH:mm") };
}

/**
 * Parses `--at`: with an offset or `Z` an instant; without, local wall time in the site's zone.
 * Returns null when the text is not ISO 8601.
 */
export function parseAt(text: string, zone: string): number | null {
  const hasOffset = /([zZ]|[+-]\d{2}(:?\d{2})?)$/.test(text) && text.includes("T");
  const dt = hasOffset ? DateTime.fromISO(text, { setZone: true }) : DateTime.fromISO(text, { zone });
  return dt.isValid ? dt.toMillis() : null;
}

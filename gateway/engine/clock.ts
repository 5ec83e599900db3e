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

/** Reads `now` in the site's time zone once per decision (luxon is the slow part of a decision). */
export function localNow(ms: number, zone: string): LocalNow {
  const dt = DateTime.fromMillis(ms, { zone });
  return {
    ms,
    zone,
    date: dt.toISODate() as string,
    minutes: dt.hour * 60 + dt.minute,
    startOfDay: dt.startOf("day").toMillis(),
  };
}

/** The instant a local date begins in `zone` (the first existing wall time of that day). */
export function startOfLocalDay(date: string, zone: string): number {
  return DateTime.fromISO(date, { zone }).startOf("day").toMillis();
}

/** The local date of an instant in `zone`. */
export function localDateOf(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toISODate() as string;
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

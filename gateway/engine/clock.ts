import { DateTime, Info, type Zone } from "luxon";

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
 *
 * The commonest question, a zone's offset at an instant, costs a fraction of a millisecond when
 * Intl's data is not in the CPU's caches, which is the case for a card after a quiet spell. It is
 * asked of luxon once per zone and hour and remembered: an hour whose first and last millisecond
 * have the same offset has that offset throughout, since no zone of the time zone database changes
 * its offset and back within an hour. An hour with a change in it is asked exactly, each time.
 */
const MEMO_MAX = 20_000;
const HOUR_MS = 3_600_000;
const dayStarts = new Map<string, number>();
const midnights = new Map<string, number>();
const hourOffsets = new Map<string, number>();
const zones = new Map<string, Zone>();
let lastNow: LocalNow | null = null;

function remember<V>(memo: Map<string, V>, key: string, value: V): V {
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(key, value);
  return value;
}

function zoneNamed(name: string): Zone {
  let zone = zones.get(name);
  if (zone === undefined) {
    zone = Info.normalizeZone(name);
    if (zones.size >= 100) zones.clear();
    zones.set(name, zone);
  }
  return zone;
}

/** The zone's offset from UTC at `ms`, in minutes (NaN for a zone luxon does not know). */
function offsetAt(ms: number, zone: string): number {
  const hour = Math.floor(ms / HOUR_MS);
  const key = `${zone} ${hour}`;
  const known = hourOffsets.get(key);
  if (known !== undefined) return known;
  const z = zoneNamed(zone);
  const first = z.offset(hour * HOUR_MS);
  const last = z.offset((hour + 1) * HOUR_MS - 1);
  if (first === last && !Number.isNaN(first)) return remember(hourOffsets, key, first);
  return z.offset(ms);
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

interface WallClock {
  /** `YYYY-MM-DD`. */
  date: string;
  /** Minutes since midnight. */
  minutes: number;
  /** The offset from UTC, in minutes. */
  offset: number;
}

/** The wall clock in `zone` at `ms`; luxon answers for an unknown zone or a year outside 1–9999. */
function wallClock(ms: number, zone: string): WallClock {
  const offset = offsetAt(ms, zone);
  const wall = new Date(ms + offset * 60_000);
  const year = wall.getUTCFullYear();
  if (Number.isNaN(offset) || year < 1 || year > 9999) {
    const dt = DateTime.fromMillis(ms, { zone });
    return { date: dt.toISODate() as string, minutes: dt.hour * 60 + dt.minute, offset: dt.offset };
  }
  return {
    date: `${String(year).padStart(4, "0")}-${pad2(wall.getUTCMonth() + 1)}-${pad2(wall.getUTCDate())}`,
    minutes: wall.getUTCHours() * 60 + wall.getUTCMinutes(),
    offset,
  };
}

/** Reads `now` in the site's time zone once per decision. */
export function localNow(ms: number, zone: string): LocalNow {
  if (lastNow === null || lastNow.ms !== ms || lastNow.zone !== zone) {
    const { date, minutes, offset } = wallClock(ms, zone);
    // Local midnight of `date` depends on nothing but the zone, the date and the offset now.
    const key = `${zone} ${date} ${offset}`;
    lastNow = {
      ms,
      zone,
      date,
      minutes,
      startOfDay:
        midnights.get(key) ??
        remember(midnights, key, DateTime.fromMillis(ms, { zone }).startOf("day").toMillis()),
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
  return wallClock(ms, zone).date;
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

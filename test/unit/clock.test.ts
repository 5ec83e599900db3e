/**
 * The scan's wall clock (engine/clock.ts) reads each zone's offset once an hour and works the local
 * date and minutes out itself: it must give luxon's answers everywhere, at and around every offset
 * change, in zones with half- and quarter-hour offsets, changes of other sizes than an hour, and
 * zones that moved across the date line.
 */
import fc from "fast-check";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { localDateOf, localNow } from "../../gateway/engine/clock.js";

const ZONES = [
  "Europe/Rome",
  "Europe/London",
  "Europe/Dublin", // negative DST in the database: winter is the "daylight" time
  "America/New_York",
  "America/St_Johns", // −03:30 / −02:30
  "America/Sao_Paulo",
  "America/Santiago",
  "Australia/Lord_Howe", // half-hour DST
  "Asia/Kathmandu", // +05:45
  "Pacific/Chatham", // +12:45 / +13:45
  "Pacific/Apia", // skipped 30 Dec 2011
  "Africa/Casablanca", // several changes a year around Ramadan
  "Antarctica/Troll", // two-hour DST
  "Asia/Tehran",
  "UTC",
];
const HOUR = 3_600_000;

/** luxon's reading of the same instant. */
function luxon(ms: number, zone: string) {
  const dt = DateTime.fromMillis(ms, { zone });
  return {
    date: dt.toISODate(),
    minutes: dt.hour * 60 + dt.minute,
    startOfDay: dt.startOf("day").toMillis(),
  };
}

function ours(ms: number, zone: string) {
  const now = localNow(ms, zone);
  return { date: now.date, minutes: now.minutes, startOfDay: now.startOfDay };
}

/** The instants 2010–2030 where the zone's offset changes, found 6 hours at a time and then to the ms. */
function changes(zone: string): number[] {
  const found: number[] = [];
  const offset = (ms: number) => DateTime.fromMillis(ms, { zone }).offset;
  const step = 6 * HOUR;
  for (let at = Date.UTC(2010, 0, 1); at < Date.UTC(2030, 0, 1); at += step) {
    if (offset(at) === offset(at + step)) continue;
    let [lo, hi] = [at, at + step];
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offset(mid) === offset(lo)) lo = mid;
      else hi = mid;
    }
    found.push(hi);
  }
  return found;
}

describe("the scan's wall clock", () => {
  it("gives luxon's local date, minutes and midnight for any instant 1970–2100 in any zone", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2100, 0, 1) }),
        fc.constantFrom(...ZONES),
        (ms, zone) => {
          expect(ours(ms, zone)).toEqual(luxon(ms, zone));
          expect(localDateOf(ms, zone)).toBe(luxon(ms, zone).date);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it.each(ZONES.filter((z) => z !== "UTC" && z !== "Asia/Kathmandu"))(
    "agrees with luxon around every offset change in %s, 2010–2030",
    (zone) => {
      const at = changes(zone);
      expect(at.length).toBeGreaterThan(0);
      for (const change of at)
        for (const d of [-HOUR, -30 * 60_000, -60_000, -1, 0, 1, 60_000, 30 * 60_000, HOUR - 1]) {
          // Read once before and once after the hour is remembered: both must be right.
          expect(ours(change + d, zone), `${zone} ${new Date(change + d).toISOString()}`).toEqual(
            luxon(change + d, zone),
          );
          expect(ours(change + d + 7, zone)).toEqual(luxon(change + d + 7, zone));
        }
    },
  );

  it("an unknown zone gives luxon's invalid answer rather than a made-up one", () => {
    expect(localDateOf(Date.UTC(2026, 0, 1), "Mars/Olympus_Mons")).toBe(
      DateTime.fromMillis(Date.UTC(2026, 0, 1), { zone: "Mars/Olympus_Mons" }).toISODate(),
    );
  });
});

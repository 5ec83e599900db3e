import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addDays,
  addDuration,
  addMonths,
  dayNumber,
  daysInclusive,
  fromDayNumber,
  isoWeekday,
  lastDayOf,
} from "../../gateway/engine/calendar.js";
import { localNow, startOfLocalDay } from "../../gateway/engine/clock.js";
import { periodDates } from "../../gateway/engine/periods.js";

/** Real calendar dates 1970–2100 as `YYYY-MM-DD`. */
const dateArb = fc.integer({ min: 0, max: 47_480 }).map(fromDayNumber);

describe("R2 calendar arithmetic", () => {
  it.each([
    ["2026-01-31", 1, "2026-02-01"],
    ["2026-02-28", 1, "2026-03-01"],
    ["2028-02-28", 1, "2028-02-29"],
    ["2026-12-31", 1, "2027-01-01"],
    ["2026-03-01", -1, "2026-02-28"],
    ["2026-03-29", 1, "2026-03-30"],
  ])("R2: %s + %i days = %s", (date, n, expected) => {
    expect(addDays(date, n)).toBe(expected);
  });

  it.each([
    ["2026-01-15", 1, "2026-02-15"],
    ["2026-01-31", 1, "2026-02-28"],
    ["2028-01-31", 1, "2028-02-29"],
    ["2026-03-31", 1, "2026-04-30"],
    ["2026-11-30", 3, "2027-02-28"],
    ["2026-12-31", 2, "2027-02-28"],
    ["2026-03-31", -1, "2026-02-28"],
    ["2026-01-31", -2, "2025-11-30"],
    ["2026-05-10", 0, "2026-05-10"],
  ])("R2: %s + %i months clamps to the month's last day: %s", (date, n, expected) => {
    expect(addMonths(date, n)).toBe(expected);
  });

  it.each([
    ["2026-05-10", { days: 1 }, "2026-05-10"],
    ["2026-05-10", { days: 10 }, "2026-05-19"],
    ["2026-05-10", { weeks: 1 }, "2026-05-16"],
    ["2026-01-15", { months: 1 }, "2026-02-14"],
    ["2026-01-31", { months: 1 }, "2026-02-28"],
    ["2026-01-29", { months: 1 }, "2026-02-28"],
    ["2026-01-28", { months: 1 }, "2026-02-27"],
    ["2026-03-31", { months: 1 }, "2026-04-30"],
    ["2026-05-10", { years: 1 }, "2027-05-09"],
    ["2028-02-29", { years: 1 }, "2029-02-28"],
    ["2028-02-29", { years: 4 }, "2032-02-28"],
  ])("R2: a duration from %s of %j lasts until %s", (from, dur, expected) => {
    expect(lastDayOf(from, dur)).toBe(expected);
  });

  it.each([
    ["2027-03-22", 1],
    ["2027-03-28", 7],
    ["2026-03-29", 7],
    ["2026-01-31", 6],
    ["1970-01-01", 4],
  ])("R7: %s is ISO weekday %i", (date, wd) => {
    expect(isoWeekday(date)).toBe(wd);
  });

  it("R2: a suspension from 10 to 14 Mar lasts 5 days (inclusive)", () => {
    expect(daysInclusive("2026-03-10", "2026-03-14")).toBe(5);
    expect(daysInclusive("2026-03-10", "2026-03-10")).toBe(1);
    expect(daysInclusive("2026-02-27", "2026-03-02")).toBe(4);
  });

  it("R2: addDuration steps n periods from the anchor, not from the previous step", () => {
    expect(addDuration("2026-01-31", { months: 1 }, 2)).toBe("2026-03-31");
    expect(addDuration("2026-01-31", { months: 1 }, -1)).toBe("2025-12-31");
    expect(addDuration("2026-01-01", { weeks: 2 }, 3)).toBe("2026-02-12");
    expect(addDuration("2028-02-29", { years: 1 }, 1)).toBe("2029-02-28");
  });
});

describe("R2 calendar properties", () => {
  it("R2: dayNumber and fromDayNumber are inverse", () => {
    fc.assert(fc.property(fc.integer({ min: -1000, max: 60_000 }), (n) => dayNumber(fromDayNumber(n)) === n));
  });

  it("R2: adding n then −n days returns the date", () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: -5000, max: 5000 }), (d, n) => addDays(addDays(d, n), -n) === d),
    );
  });

  it("R2: a duration of months ends on or after its start and before the next anniversary", () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: 1, max: 36 }), (d, n) => {
        const last = lastDayOf(d, { months: n });
        const anniversary = addMonths(d, n);
        return last >= d && last <= anniversary && addDays(last, 1) >= anniversary;
      }),
    );
  });

  it("R2: adding months keeps the day or clamps it to the month's end", () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: -24, max: 24 }), (d, n) => {
        const r = addMonths(d, n);
        const day = Number(r.slice(8));
        return day === Number(d.slice(8)) || (day < Number(d.slice(8)) && addDays(r, 1).slice(8) === "01");
      }),
    );
  });

  it("R7: weeks start on Monday and have 7 days", () => {
    fc.assert(
      fc.property(dateArb, (d) => {
        const p = periodDates("week", d, null);
        return (
          isoWeekday(p.startDate) === 1 &&
          p.endDate === addDays(p.startDate, 7) &&
          p.startDate <= d &&
          d < p.endDate
        );
      }),
    );
  });
});

describe("R2/R3 local days in Europe/Rome", () => {
  it.each([
    ["2026-03-29", 23],
    ["2026-10-25", 25],
    ["2026-05-10", 24],
  ])("R2: %s lasts %i hours", (date, hours) => {
    const len = startOfLocalDay(addDays(date, 1), "Europe/Rome") - startOfLocalDay(date, "Europe/Rome");
    expect(len).toBe(hours * 3_600_000);
  });

  it("R3: the wall clock reads 02:30 twice on 25 Oct 2026", () => {
    const a = localNow(Date.parse("2026-10-25T00:30:00Z"), "Europe/Rome");
    const b = localNow(Date.parse("2026-10-25T01:30:00Z"), "Europe/Rome");
    expect([a.date, a.minutes, b.date, b.minutes]).toEqual(["2026-10-25", 150, "2026-10-25", 150]);
    expect(a.startOfDay).toBe(b.startOfDay);
  });

  it("R2: local midnight in Rome is 23:00 or 22:00 UTC the day before", () => {
    expect(new Date(startOfLocalDay("2026-01-15", "Europe/Rome")).toISOString()).toBe(
      "2026-01-14T23:00:00.000Z",
    );
    expect(new Date(startOfLocalDay("2026-07-15", "Europe/Rome")).toISOString()).toBe(
      "2026-07-14T22:00:00.000Z",
    );
  });
});

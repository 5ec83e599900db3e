import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { AccessGwError } from "../../config/errors.js";
import { parseTimeText, timeFlag } from "../../gateway/cliTime.js";

const ROME = "Europe/Rome";
/** 2026-12-14 06:30 in Rome (05:30Z): the "now" of these tests, never the machine's clock. */
const NOW = Date.parse("2026-12-14T05:30:00Z");
const rome = (iso: string) => DateTime.fromISO(iso, { zone: ROME }).toMillis();

describe("time flags take what a person types as well as ISO 8601 (§8, cli.md times)", () => {
  it.each([
    ["17:00", "2026-12-14T17:00"],
    ["7:05", "2026-12-14T07:05"],
    ["07:05:30", "2026-12-14T07:05:30"],
    ["2026-12-20 17:00", "2026-12-20T17:00"],
    ["2026-12-20 7:00", "2026-12-20T07:00"],
    ["2026-12-20T17:00", "2026-12-20T17:00"],
    ["2026-12-20", "2026-12-20T00:00"],
  ])("%s is %s in the site's zone", (text, local) => {
    expect(parseTimeText(text, ROME, NOW)).toBe(rome(local));
  });

  it("HH:MM is today in the site's zone, not the machine's: 00:30 in Rome when it is already the 14th there", () => {
    // 23:30Z on the 13th is 00:30 on the 14th in Rome: "today" is the 14th.
    const lateUtc = Date.parse("2026-12-13T23:30:00Z");
    expect(parseTimeText("08:00", ROME, lateUtc)).toBe(rome("2026-12-14T08:00"));
    expect(parseTimeText("08:00", "UTC", lateUtc)).toBe(Date.parse("2026-12-13T08:00:00Z"));
  });

  it("an offset or Z is an instant whatever the zone", () => {
    expect(parseTimeText("2026-12-14T17:05:00Z", ROME, NOW)).toBe(Date.parse("2026-12-14T17:05:00Z"));
  });

  it.each(["24:00", "07:60", "7", "soon", "2026-12-14  17:00", "2026-13-01 10:00", "17:00pm"])(
    "refuses %j",
    (text) => {
      expect(parseTimeText(text, ROME, NOW)).toBeNull();
    },
  );

  it("timeFlag refuses bad syntax at once (exit 2), naming the flag and the forms it takes", () => {
    let caught: unknown;
    try {
      timeFlag("soon", "--at", () => NOW);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AccessGwError);
    expect((caught as AccessGwError).exitCode).toBe(2);
    expect((caught as AccessGwError).message).toBe(
      '--at "soon" is not a time: use HH:MM (today), YYYY-MM-DD HH:MM, or ISO 8601 (2026-11-23T17:05:00Z)',
    );
  });

  it("timeFlag reads the time in the zone it is given later, and is now without a flag", () => {
    expect(timeFlag("17:00", "--at", () => NOW)(ROME)).toBe(rome("2026-12-14T17:00"));
    expect(timeFlag(undefined, "--at", () => NOW)(ROME)).toBe(NOW);
  });
});

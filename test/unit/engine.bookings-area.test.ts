import { describe, expect, it } from "vitest";
import type { PresenceFact } from "../../gateway/engine/types.js";
import { at } from "../helpers/build.js";
import { type FactsInput, mp, rome, scan } from "./engineFixture.js";

const site = (p: { early?: number } = {}) =>
  rome({
    site: p.early === undefined ? {} : { bookingEarlyMinutes: p.early },
    areas: [
      { id: "pool", antiPassback: { mode: "hard" } },
      { id: "spa", antiPassback: { mode: "timed", minutes: 3 } },
      { id: "studio", capacity: 2 },
      { id: "hall", antiPassback: { mode: "none" } },
    ],
    accessTypes: [
      { id: "pool-all", areas: ["pool"] },
      { id: "spa-all", areas: ["spa"] },
      { id: "studio-all", areas: ["studio"] },
      { id: "hall-all", areas: ["hall"] },
      { id: "gym-morning", areas: ["gym"], windows: [{ days: ["mon"], from: "06:00", to: "07:00" }] },
    ],
    products: [
      {
        id: "pack",
        credits: 10,
        items: ["pool-all", "spa-all", "studio-all", "hall-all", "gym-morning"].map((accessType) => ({
          accessType,
          credits: 1,
        })),
      },
    ],
  });
const pack = mp("mp-1", "pack", "2027-03-01T10:00");
const booking = (area = "studio", start = "2027-03-22T18:00", end = "2027-03-22T19:00") => ({
  id: "b-77",
  area,
  start: at(start),
  end: at(end),
});
const withBooking = (extra: FactsInput = {}, b = booking()): FactsInput => ({
  ...extra,
  member: { bookings: [b], ...extra?.member },
});

describe("R10 bookings", () => {
  it.each([
    ["2027-03-22T17:29:59.999", false],
    ["2027-03-22T17:30", true],
    ["2027-03-22T18:00", true],
    ["2027-03-22T18:59:59.999", true],
    ["2027-03-22T19:01", false],
  ] as const)("R10: a booking 18:00–19:00 admits a member without multipacks at %s: %s", (when, admitted) => {
    const d = scan(site(), withBooking(), when, "studio");
    if (admitted)
      expect(d).toMatchObject({
        decision: "grant",
        reason: "booking",
        multipackId: null,
        accessTypeId: null,
        creditsDeducted: 0,
        creditsRemaining: null,
        creditsTotal: null,
        message: "Welcome Ada — booked 18:00–19:00",
      });
    else expect(d).toMatchObject({ decision: "deny", reason: "no_entitlement" });
  });

  it.each([
    [10, "2027-03-22T17:49", false],
    [10, "2027-03-22T17:50", true],
    [0, "2027-03-22T17:59", false],
    [0, "2027-03-22T18:00", true],
  ] as const)("R10: with bookingEarlyMinutes %i the booking admits at %s: %s", (early, when, admitted) => {
    expect(scan(site({ early }), withBooking(), when, "studio").reason === "booking").toBe(admitted);
  });

  it("R10: a booking beats a multipack that could pay (cost 0, no multipack charged)", () => {
    const d = scan(site(), withBooking({ multipacks: [pack] }), "2027-03-22T17:45", "studio");
    expect(d).toMatchObject({ decision: "grant", reason: "booking", multipackId: null, creditsDeducted: 0 });
    expect(d.trace).toEqual([expect.objectContaining({ outcome: "chosen", reason: "booking" })]);
  });

  it("R10: a booking for another area does not admit here", () => {
    const d = scan(
      site(),
      withBooking({ multipacks: [pack] }, booking("pool")),
      "2027-03-22T18:00",
      "studio",
    );
    expect(d).toMatchObject({ reason: "ok", multipackId: "mp-1", creditsDeducted: 1 });
  });

  it("R10: a booking ignores time windows (the class was sold for its time)", () => {
    const b = booking("gym", "2027-03-22T20:00", "2027-03-22T21:00");
    expect(scan(site(), withBooking({ multipacks: [pack] }, b), "2027-03-22T20:15", "gym").reason).toBe(
      "booking",
    );
    expect(scan(site(), { multipacks: [pack] }, "2027-03-22T20:15", "gym").reason).toBe(
      "outside_time_window",
    );
  });

  it("R10/R1: a member block stops a booked entry", () => {
    const f = withBooking({ member: { blocks: [{ reason: "debt", from: "2027-03-01" }] } });
    expect(scan(site(), f, "2027-03-22T18:00", "studio").reason).toBe("member_blocked");
  });

  it("R10/R12: a full area stops a booked entry", () => {
    const d = scan(site(), withBooking({ presentCount: 2 }), "2027-03-22T18:00", "studio");
    expect(d).toMatchObject({ decision: "deny", reason: "area_full" });
  });
});

const presence = (
  dir: "in" | "out",
  lastLocal: string,
  lastInLocal: string | null = lastLocal,
): PresenceFact => ({
  lastDirection: dir,
  lastAt: at(lastLocal),
  lastInAt: lastInLocal === null ? null : at(lastInLocal),
});

describe("R12 anti-passback hard", () => {
  it("R12: a second entry without an exit in between is denied anti_passback", () => {
    const d = scan(
      site(),
      { multipacks: [pack], presence: presence("in", "2027-03-22T10:00") },
      "2027-03-22T10:30",
      "pool",
    );
    expect(d).toMatchObject({
      decision: "deny",
      reason: "anti_passback",
      multipackId: null,
      creditsDeducted: 0,
      message: "Already inside — please scan out first",
    });
    expect(d.trace[0]).toMatchObject({ multipackId: "mp-1", outcome: "skipped", reason: "anti_passback" });
  });

  it("R12: an exit in between clears it", () => {
    const p = presence("out", "2027-03-22T10:40", "2027-03-22T10:00");
    expect(scan(site(), { multipacks: [pack], presence: p }, "2027-03-22T10:45", "pool").decision).toBe(
      "grant",
    );
  });

  it("R12: presence is forgotten at local midnight", () => {
    const p = presence("in", "2027-03-22T23:50");
    expect(scan(site(), { multipacks: [pack], presence: p }, "2027-03-22T23:59", "pool").reason).toBe(
      "anti_passback",
    );
    expect(scan(site(), { multipacks: [pack], presence: p }, "2027-03-23T00:00", "pool").decision).toBe(
      "grant",
    );
  });

  it("R12: a movement after `now` (a what-if in the past) is ignored", () => {
    const p = presence("in", "2027-03-22T12:00");
    expect(scan(site(), { multipacks: [pack], presence: p }, "2027-03-22T11:00", "pool").decision).toBe(
      "grant",
    );
  });

  it("R12: anti-passback applies only to areas that ask for it", () => {
    const p = presence("in", "2027-03-22T10:00");
    expect(scan(site(), { multipacks: [pack], presence: p }, "2027-03-22T10:30", "hall").decision).toBe(
      "grant",
    );
    expect(scan(site(), { multipacks: [pack], presence: p }, "2027-03-22T10:30", "studio").decision).toBe(
      "grant",
    );
  });
});

describe("R12 anti-passback timed", () => {
  it.each([
    ["1 minute", "2027-03-22T10:01", "deny", "Please wait 2 min"],
    ["2 min 59 s", "2027-03-22T10:02:59", "deny", "Please wait 1 min"],
    ["3 minutes", "2027-03-22T10:03", "grant", null],
    ["10 minutes", "2027-03-22T10:10", "grant", null],
  ] as const)(
    "R12: 3 minutes timed, a second entry %s after the last is a %s",
    (_l, when, decision, message) => {
      const d = scan(
        site(),
        { multipacks: [pack], presence: presence("in", "2027-03-22T10:00") },
        when,
        "spa",
      );
      expect(d.decision).toBe(decision);
      if (message) expect(d).toMatchObject({ reason: "anti_passback", message });
    },
  );

  it("R12: timed mode counts from the last entry even when an exit followed", () => {
    const p = presence("out", "2027-03-22T10:01", "2027-03-22T10:00");
    expect(scan(site(), { multipacks: [pack], presence: p }, "2027-03-22T10:02", "spa").reason).toBe(
      "anti_passback",
    );
  });

  it("R12: timed mode does not care for a long stay without an exit", () => {
    const p = presence("in", "2027-03-22T10:00");
    expect(scan(site(), { multipacks: [pack], presence: p }, "2027-03-22T11:00", "spa").decision).toBe(
      "grant",
    );
  });
});

describe("R12 capacity", () => {
  it.each([
    [0, "grant"],
    [1, "grant"],
    [2, "deny"],
    [5, "deny"],
  ] as const)("R12: capacity 2 with %i others present gives %s", (presentCount, decision) => {
    const d = scan(site(), { multipacks: [pack], presentCount }, "2027-03-22T10:00", "studio");
    expect(d.decision).toBe(decision);
    if (decision === "deny")
      expect(d).toMatchObject({ reason: "area_full", message: "Studio is full", creditsDeducted: 0 });
  });

  it("R12: a member already inside is not blocked by capacity", () => {
    const p = presence("in", "2027-03-22T09:00");
    const d = scan(
      site(),
      { multipacks: [pack], presentCount: 2, presence: p },
      "2027-03-22T10:00",
      "studio",
    );
    expect(d.decision).toBe("grant");
  });

  it("R12: an entry yesterday without an exit does not count as inside today", () => {
    const p = presence("in", "2027-03-21T20:00");
    const d = scan(
      site(),
      { multipacks: [pack], presentCount: 2, presence: p },
      "2027-03-22T10:00",
      "studio",
    );
    expect(d.reason).toBe("area_full");
  });

  it("R11/R12: an exit from a full area is granted", () => {
    expect(scan(site(), { presentCount: 9 }, "2027-03-22T10:00", "studio", "out").reason).toBe("exit");
  });
});

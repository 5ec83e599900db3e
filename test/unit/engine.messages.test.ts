import { describe, expect, it } from "vitest";
import { at } from "../helpers/build.js";
import { mp, rome, scan, visit } from "./engineFixture.js";

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"];
const site = rome({
  site: { holidays: ["2027-03-29"] },
  areas: [{ id: "spa", name: "Wellness & spa", capacity: 1 }],
  accessTypes: [
    { id: "gym-all", areas: ["gym"] },
    { id: "spa-all", areas: ["spa"] },
    {
      id: "pool-offpeak",
      areas: ["pool"],
      windows: [
        { days: WEEKDAYS, from: "07:00", to: "17:00" },
        { days: ["sat", "sun", "hol"], from: "08:00", to: "20:00" },
      ],
    },
    { id: "pool-peak", areas: ["pool"], windows: [{ days: WEEKDAYS, from: "17:00", to: "21:00" }] },
    { id: "lido", areas: ["lido"], dates: { from: "2026-06-01", to: "2026-09-15" } },
  ],
  products: [
    {
      id: "pool-10",
      credits: 10,
      deductionIntervalMinutes: 60,
      items: [
        { accessType: "pool-peak", credits: 2 },
        { accessType: "pool-offpeak", credits: 1 },
        { accessType: "gym-all", credits: 1 },
        { accessType: "spa-all", credits: 1 },
      ],
    },
    { id: "peak-only", credits: 10, items: [{ accessType: "pool-peak", credits: 1 }] },
    { id: "offpeak-only", credits: 10, items: [{ accessType: "pool-offpeak", credits: 1 }] },
    { id: "big", credits: 500, items: [{ accessType: "gym-all", credits: 1 }] },
    {
      id: "unlimited",
      credits: 0,
      items: [
        { accessType: "gym-all", credits: 0 },
        { accessType: "lido", credits: 0 },
      ],
    },
  ],
});
const pool10 = (extra = {}) => mp("mp-1", "pool-10", "2027-03-01T10:00", extra);
const MONDAY = "2027-03-22T10:00";

describe("R15 grant messages", () => {
  it.each([
    ["Ada Lovelace", 10, 2, "Welcome Ada — 7/10 left"],
    ["  Grace   Hopper ", 10, 0, "Welcome Grace — 9/10 left"],
    [null, 10, 2, "Welcome — 7/10 left"],
    ["Ada", 100, 0, "Welcome Ada — 99/100 left"],
    ["Ada", 101, 0, "Welcome Ada — 100/101 left"],
    ["Ada", 102, 0, "Welcome Ada — UNLIMITED"],
    ["Ada", 500, 450, "Welcome Ada — 49/500 left"],
    ["Ada", 15, 5, "Welcome Ada — 9/15 left"],
  ])("R15: %j with %i total and %i used sees %j", (name, creditsTotal, used, message) => {
    const f = { multipacks: [pool10({ creditsTotal, used })], member: { name } };
    expect(scan(site, f, MONDAY, "gym").message).toBe(message);
  });

  it("R15: more than 100 credits remaining shows UNLIMITED but still counts", () => {
    const d = scan(
      site,
      { multipacks: [mp("mp-b", "big", "2027-03-01T10:00", { creditsTotal: 500, used: 3 })] },
      MONDAY,
    );
    expect(d).toMatchObject({ message: "Welcome Ada — UNLIMITED", creditsRemaining: 496, creditsTotal: 500 });
  });

  it("R15: an unlimited product greets without a count", () => {
    expect(scan(site, { multipacks: [mp("mp-u", "unlimited", "2027-03-01T10:00")] }, MONDAY).message).toBe(
      "Welcome Ada",
    );
  });

  it("R15: a re-entry says welcome back", () => {
    const v = visit("2027-03-22T09:30", { multipackId: "mp-1", area: "pool", productId: "pool-10" });
    expect(scan(site, { multipacks: [pool10({ used: 1 })], visits: [v] }, MONDAY, "pool").message).toBe(
      "Welcome back Ada — 9/10 left",
    );
  });

  it("R15: a booking shows its times, an exit says goodbye", () => {
    const booking = { id: "b-1", area: "spa", start: at("2027-03-22T18:00"), end: at("2027-03-22T19:30") };
    expect(scan(site, { member: { bookings: [booking] } }, "2027-03-22T17:40", "spa").message).toBe(
      "Welcome Ada — booked 18:00–19:30",
    );
    expect(scan(site, {}, MONDAY, "gym", "out").message).toBe("Goodbye Ada");
  });
});

describe("R15 deny messages", () => {
  it("R15: Expired on 30 Apr 2027", () => {
    const d = scan(site, { multipacks: [pool10({ validUntil: "2027-04-30" })] }, "2027-05-02T10:00");
    expect(d.message).toBe("Expired on 30 Apr 2027");
  });

  it("R13/R15: among several expired multipacks the message names the latest expiry", () => {
    const older = { ...pool10({ validUntil: "2026-01-31" }), id: "mp-old" };
    const newer = { ...pool10({ validUntil: "2027-04-30" }), id: "mp-new" };
    for (const multipacks of [
      [older, newer],
      [newer, older],
    ]) {
      const d = scan(site, { multipacks }, "2027-05-02T10:00");
      expect(d).toMatchObject({ reason: "expired", message: "Expired on 30 Apr 2027" });
    }
  });

  it.each([
    ["Saturday before opening", "2027-03-27T07:00", "Pool opens at 08:00"],
    ["Monday early", "2027-03-22T06:00", "Pool opens at 07:00"],
    ["Friday night", "2027-03-26T22:00", "Pool opens Sat 08:00"],
    ["the evening before a holiday", "2027-03-28T21:00", "Pool opens Mon 08:00"],
  ])("R15: pool closed on %s says %j", (_label, when, message) => {
    expect(scan(site, { multipacks: [pool10()] }, when, "pool").message).toBe(message);
  });

  it("R15: the opening time is the earliest of all the member's items, not the first one tried", () => {
    // pool-10 lists pool-peak (17:00) before pool-offpeak (07:00).
    expect(scan(site, { multipacks: [pool10()] }, "2027-03-22T06:30", "pool").message).toBe(
      "Pool opens at 07:00",
    );
    const two = [mp("mp-a", "peak-only", "2027-03-01T10:00"), mp("mp-b", "offpeak-only", "2027-03-02T10:00")];
    expect(scan(site, { multipacks: two }, "2027-03-22T06:30", "pool").message).toBe("Pool opens at 07:00");
  });

  it("R15: an access type whose dates have ended says it is not open", () => {
    const d = scan(
      site,
      { multipacks: [mp("mp-u", "unlimited", "2026-01-01T10:00")] },
      "2026-10-01T10:00",
      "lido",
    );
    expect(d).toMatchObject({ reason: "outside_time_window", message: "Lido: not open at this time" });
  });

  it("R15: an access type whose dates start later gives the first opening day", () => {
    const d = scan(
      site,
      { multipacks: [mp("mp-u", "unlimited", "2026-01-01T10:00")] },
      "2026-05-30T10:00",
      "lido",
    );
    expect(d.message).toBe("Lido opens Mon 00:00");
  });

  it.each([
    [{ status: "stored" }, "2027-03-22T10:00", "Membership not active — please see reception"],
    [{ validFrom: "2027-06-01" }, "2027-03-22T10:00", "Valid from 1 Jun 2027"],
    [{}, "2027-03-01T09:00", "Valid from 10:00"],
    [
      { suspensions: [{ from: "2027-03-20", to: "2027-04-03" }] },
      "2027-03-22T10:00",
      "Suspended until 3 Apr 2027",
    ],
    [{ used: 10 }, "2027-03-22T10:00", "No credits left — 0/10"],
    [{ used: 9 }, "2027-03-22T18:00", "No credits left — 1/10"],
  ])("R15: a multipack %j at %s says %j", (extra, when, message) => {
    expect(scan(site, { multipacks: [pool10(extra)] }, when, "pool").message).toBe(message);
  });

  it("R15: a full area is named by its display name", () => {
    expect(scan(site, { multipacks: [pool10()], presentCount: 1 }, MONDAY, "spa").message).toBe(
      "Wellness & spa is full",
    );
  });

  it("R15: every decision carries a non-empty message", () => {
    const cases = [
      scan(site, {}, MONDAY),
      scan(site, { multipacks: [pool10()] }, MONDAY, "lido"),
      scan(site, { multipacks: [pool10()], card: { status: "lost" } }, MONDAY),
      scan(site, { multipacks: [pool10()], card: { validTo: "2027-01-01" } }, MONDAY),
    ];
    expect(cases.map((d) => d.message)).toEqual([
      "No valid membership — please see reception",
      "Not valid for this area",
      "Card blocked — please see reception",
      "Card expired on 1 Jan 2027",
    ]);
  });
});

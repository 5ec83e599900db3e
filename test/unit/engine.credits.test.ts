import { describe, expect, it } from "vitest";
import { mp, rome, scan } from "./engineFixture.js";

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"];
const site = rome({
  accessTypes: [
    { id: "gym-all", areas: ["gym"] },
    { id: "pool-offpeak", areas: ["pool"], windows: [{ days: WEEKDAYS, from: "07:00", to: "17:00" }] },
    { id: "pool-peak", areas: ["pool"], windows: [{ days: WEEKDAYS, from: "17:00", to: "21:00" }] },
  ],
  products: [
    {
      id: "pool-10",
      credits: 10,
      validity: { months: 6 },
      items: [
        { accessType: "pool-offpeak", credits: 1, priority: 1 },
        { accessType: "pool-peak", credits: 2, priority: 1 },
        { accessType: "gym-all", credits: 0, priority: 1 },
      ],
    },
    {
      id: "premium",
      credits: 0,
      validity: { months: 1 },
      items: [
        { accessType: "gym-all", credits: 5, priority: 1 },
        { accessType: "pool-peak", credits: 2, priority: 1 },
      ],
    },
  ],
});
const OFFPEAK = "2027-03-22T10:00";
const PEAK = "2027-03-22T18:00";
const pool10 = (extra = {}) => mp("mp-1", "pool-10", "2027-03-01T10:00", extra);

describe("R4 cost is the matching item's credits", () => {
  it.each([
    ["off-peak", OFFPEAK, "pool-offpeak", 1, 9],
    ["peak", PEAK, "pool-peak", 2, 8],
  ])("R4: a %s pool entry costs its item's credits", (_label, when, accessTypeId, cost, left) => {
    const d = scan(site, { multipacks: [pool10()] }, when, "pool");
    expect(d).toMatchObject({
      decision: "grant",
      reason: "ok",
      multipackId: "mp-1",
      productId: "pool-10",
      accessTypeId,
      creditsDeducted: cost,
      creditsRemaining: left,
      creditsTotal: 10,
    });
  });

  it("R4: an unlimited product (credits 0) costs nothing whatever its items say", () => {
    const d = scan(site, { multipacks: [mp("mp-u", "premium", "2027-03-10T10:00")] }, PEAK, "gym");
    expect(d).toMatchObject({
      decision: "grant",
      reason: "ok",
      accessTypeId: "gym-all",
      creditsDeducted: 0,
      creditsRemaining: null,
      creditsTotal: null,
      message: "Welcome Ada",
    });
  });

  it("R4: an unlimited product is not refused for credits even with a ledger of usage", () => {
    const d = scan(
      site,
      { multipacks: [mp("mp-u", "premium", "2027-03-10T10:00", { creditsTotal: 0, used: 7 })] },
      PEAK,
      "pool",
    );
    expect(d).toMatchObject({ decision: "grant", creditsDeducted: 0, creditsRemaining: null });
  });
});

describe("R6 credits", () => {
  it.each([
    // total, used, when, decision
    [10, 9, OFFPEAK, "grant", 0],
    [10, 10, OFFPEAK, "deny", null],
    [10, 8, PEAK, "grant", 0],
    [10, 9, PEAK, "deny", null],
    [3, 0, PEAK, "grant", 1],
  ] as const)(
    "R6: with %i total and %i used at %s the decision is %s",
    (total, used, when, decision, left) => {
      const d = scan(site, { multipacks: [pool10({ creditsTotal: total, used })] }, when, "pool");
      expect(d.decision).toBe(decision);
      if (decision === "grant") expect(d.creditsRemaining).toBe(left);
      else
        expect(d).toMatchObject({
          reason: "no_credits",
          creditsDeducted: 0,
          creditsRemaining: null,
          creditsTotal: null,
          multipackId: null,
          message: `No credits left — ${total - used}/${total}`,
        });
    },
  );

  it("R6: running out of credits leaves 0-cost items usable", () => {
    const f = { multipacks: [pool10({ used: 10 })] };
    expect(scan(site, f, OFFPEAK, "gym")).toMatchObject({
      decision: "grant",
      reason: "ok",
      accessTypeId: "gym-all",
      creditsDeducted: 0,
      creditsRemaining: 0,
      creditsTotal: 10,
      message: "Welcome Ada — 0/10 left",
    });
    expect(scan(site, f, OFFPEAK, "pool").reason).toBe("no_credits");
  });

  it("R6: 0-cost items of a used-up multipack stop at validUntil", () => {
    // Bought 1 Mar 2027, 6 months: last day 31 Aug 2027.
    const f = { multipacks: [pool10({ used: 10 })] };
    expect(scan(site, f, "2027-08-31T20:00", "gym").decision).toBe("grant");
    expect(scan(site, f, "2027-09-01T08:00", "gym").reason).toBe("expired");
  });

  it("R6: a multipack that cannot pay makes way for one that can", () => {
    const empty = pool10({ used: 10 });
    const full = mp("mp-2", "pool-10", "2027-03-05T10:00");
    const d = scan(site, { multipacks: [empty, full] }, OFFPEAK, "pool");
    expect(d).toMatchObject({ decision: "grant", multipackId: "mp-2", creditsRemaining: 9 });
    expect(d.trace).toContainEqual(expect.objectContaining({ multipackId: "mp-1", reason: "no_credits" }));
  });
});

describe("R16 remaining is the total minus the ledger", () => {
  it.each([
    // creditsTotal (with manual additions), used (usage + deductions − refunds), expected text
    [10, 0, "9/10 left"],
    [10, 3, "6/10 left"],
    [15, 0, "14/15 left"],
    [15, 5, "9/15 left"],
    [10, -1, "10/10 left"],
  ])("R16: with creditsTotal %i and used %i a 1-credit entry leaves %s", (creditsTotal, used, text) => {
    const d = scan(site, { multipacks: [pool10({ creditsTotal, used })] }, OFFPEAK, "pool");
    expect(d.creditsRemaining).toBe(creditsTotal - used - 1);
    expect(d.creditsTotal).toBe(creditsTotal);
    expect(d.message).toBe(`Welcome Ada — ${text}`);
  });

  it("R16: the decision does not change the facts' totals (the store records the deduction)", () => {
    const pack = pool10({ used: 2 });
    scan(site, { multipacks: [pack] }, OFFPEAK, "pool");
    expect(pack).toMatchObject({ creditsTotal: 10, used: 2 });
  });
});

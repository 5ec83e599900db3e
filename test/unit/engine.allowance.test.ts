import { describe, expect, it } from "vitest";
import type { VisitFact } from "../../gateway/engine/types.js";
import { mp, rome, scan, visit } from "./engineFixture.js";

const PERIODS = ["day", "week", "month", "year", "chargePeriod"] as const;

/** One unlimited plan per allowance period (count 2 unless said), plus a paid pool pack. */
const site = rome({
  accessTypes: [
    { id: "pool-all", areas: ["pool"] },
    { id: "gym-all", areas: ["gym"] },
  ],
  products: [
    ...PERIODS.map((period) => ({
      id: `plan-${period}`,
      credits: 0,
      chargePeriod: { months: 1 },
      items: [
        { accessType: "gym-all", credits: 0 },
        { accessType: "pool-all", credits: 0, allowance: { count: 2, period } },
      ],
    })),
    {
      id: "plan-rollover",
      credits: 0,
      items: [
        { accessType: "pool-all", credits: 0, allowance: { count: 4, period: "month", rollover: true } },
      ],
    },
    {
      id: "plan-cp-rollover",
      credits: 0,
      chargePeriod: { weeks: 1 },
      items: [
        {
          accessType: "pool-all",
          credits: 0,
          allowance: { count: 1, period: "chargePeriod", rollover: true },
        },
      ],
    },
    { id: "swim10", credits: 10, items: [{ accessType: "pool-all", credits: 1 }] },
  ],
});

/** Visits through the plan's pool item at these local times. */
const poolVisits = (multipackId: string, productId: string, times: string[]): VisitFact[] =>
  times.map((t) => visit(t, { multipackId, area: "pool", productId, accessTypeId: "pool-all", credits: 0 }));

function plan(period: string, validFrom = "2026-01-31", times: string[] = [], extra = {}) {
  const p = mp("mp-plan", `plan-${period}`, `${validFrom}T08:00`, extra);
  return { multipacks: [p], visits: poolVisits("mp-plan", `plan-${period}`, times) };
}

describe("R7 allowance periods (local calendar, weeks start on Monday)", () => {
  // 2027-03-22 is a Monday. Each case: period, the two visits, a later scan in the same period
  // (allowance_used), and a scan in the next period (granted).
  it.each([
    ["day", ["2027-03-23T08:00", "2027-03-23T09:00"], "2027-03-23T23:59", "2027-03-24T00:00"],
    ["week", ["2027-03-22T00:00", "2027-03-24T09:00"], "2027-03-28T23:59", "2027-03-29T00:00"],
    ["month", ["2027-03-01T00:00", "2027-03-15T09:00"], "2027-03-31T23:59", "2027-04-01T00:00"],
    ["year", ["2027-01-01T00:00", "2027-06-15T09:00"], "2027-12-31T23:59", "2028-01-01T00:00"],
  ])(
    "R7: a count of 2 per %s is used up within the period and renewed by the next",
    (period, times, same, next) => {
      expect(scan(site, plan(period, "2026-01-31", times), same, "pool")).toMatchObject({
        decision: "deny",
        reason: "allowance_used",
      });
      expect(scan(site, plan(period, "2026-01-31", times), next, "pool")).toMatchObject({
        decision: "grant",
        reason: "ok",
      });
    },
  );

  it.each([
    ["day", ["2027-03-22T23:59", "2027-03-23T09:00"], "2027-03-23T12:00"],
    ["week", ["2027-03-21T23:59", "2027-03-22T09:00"], "2027-03-23T12:00"],
    ["month", ["2027-02-28T23:59", "2027-03-01T09:00"], "2027-03-02T12:00"],
    ["year", ["2026-12-31T23:59", "2027-01-01T09:00"], "2027-01-02T12:00"],
  ])("R7: a visit just before the %s began does not count in it", (period, times, when) => {
    expect(scan(site, plan(period, "2026-01-31", times), when, "pool").decision).toBe("grant");
  });

  it("R7: chargePeriod periods are anchored at validFrom (31 Jan + 1 month → 28 Feb, 31 Mar…)", () => {
    // Periods: [31 Jan, 28 Feb), [28 Feb, 31 Mar), [31 Mar, 30 Apr)…
    const used = ["2026-02-26T10:00", "2026-02-27T10:00"];
    expect(scan(site, plan("chargePeriod", "2026-01-31", used), "2026-02-27T23:59", "pool").reason).toBe(
      "allowance_used",
    );
    expect(scan(site, plan("chargePeriod", "2026-01-31", used), "2026-02-28T00:00", "pool").decision).toBe(
      "grant",
    );
    const late = ["2026-03-29T10:00", "2026-03-30T10:00"];
    expect(scan(site, plan("chargePeriod", "2026-01-31", late), "2026-03-30T20:00", "pool").reason).toBe(
      "allowance_used",
    );
    expect(scan(site, plan("chargePeriod", "2026-01-31", late), "2026-03-31T00:00", "pool").decision).toBe(
      "grant",
    );
  });

  it("R7: the allowance message names the period", () => {
    const d = scan(
      site,
      plan("week", "2026-01-31", ["2027-03-22T09:00", "2027-03-23T09:00"]),
      "2027-03-24T09:00",
      "pool",
    );
    expect(d.message).toBe("Included visits used up this week");
  });
});

describe("R7 what counts against an allowance", () => {
  it("R7: only visits through that item of that multipack count", () => {
    const f = plan("day");
    f.visits = [
      visit("2027-03-23T08:00", {
        multipackId: "mp-plan",
        area: "gym",
        productId: "plan-day",
        accessTypeId: "gym-all",
        credits: 0,
      }),
      visit("2027-03-23T09:00", {
        multipackId: "mp-other",
        area: "pool",
        productId: "plan-day",
        accessTypeId: "pool-all",
        credits: 0,
      }),
      visit("2027-03-23T10:00", {
        multipackId: "mp-plan",
        area: "pool",
        productId: "plan-day",
        accessTypeId: "pool-all",
        credits: 0,
      }),
    ];
    expect(scan(site, f, "2027-03-23T12:00", "pool")).toMatchObject({ decision: "grant", reason: "ok" });
  });

  it("R7: a count of 0 means the item is never included", () => {
    const zero = rome({
      accessTypes: [{ id: "pool-all", areas: ["pool"] }],
      products: [
        {
          id: "z",
          credits: 0,
          items: [{ accessType: "pool-all", credits: 0, allowance: { count: 0, period: "day" } }],
        },
      ],
    });
    expect(
      scan(zero, { multipacks: [mp("mp-z", "z", "2027-03-01T10:00")] }, "2027-03-22T10:00", "pool").reason,
    ).toBe("allowance_used");
  });

  it("R7: a used-up allowance falls through to a paid pack (never denies while another candidate can pay)", () => {
    const f = plan("day", "2027-03-01", ["2027-03-23T08:00", "2027-03-23T09:00"]);
    f.multipacks.push(mp("mp-swim", "swim10", "2027-02-01T10:00"));
    const d = scan(site, f, "2027-03-23T15:00", "pool");
    expect(d).toMatchObject({
      decision: "grant",
      reason: "ok",
      multipackId: "mp-swim",
      creditsDeducted: 1,
      creditsRemaining: 9,
    });
    expect(d.trace).toContainEqual(
      expect.objectContaining({ multipackId: "mp-plan", outcome: "skipped", reason: "allowance_used" }),
    );
  });

  it("R7: while the allowance lasts the free plan is used before the paid pack (R9 cost 0 first)", () => {
    const f = plan("day", "2027-03-01", ["2027-03-23T08:00"]);
    f.multipacks.push(mp("mp-swim", "swim10", "2027-02-01T10:00"));
    expect(scan(site, f, "2027-03-23T15:00", "pool")).toMatchObject({
      multipackId: "mp-plan",
      creditsDeducted: 0,
    });
  });

  it("R7: a used-up allowance does not stop the multipack's other items", () => {
    const f = plan("day", "2027-03-01", ["2027-03-23T08:00", "2027-03-23T09:00"]);
    expect(scan(site, f, "2027-03-23T15:00", "gym")).toMatchObject({
      decision: "grant",
      accessTypeId: "gym-all",
    });
  });
});

describe("R7 rollover", () => {
  const rollover = (validFrom: string, times: string[]) => ({
    multipacks: [mp("mp-r", "plan-rollover", `${validFrom}T08:00`)],
    visits: poolVisits("mp-r", "plan-rollover", times),
  });
  const days = (month: string, n: number) =>
    Array.from({ length: n }, (_, i) => `${month}-${String(i + 1).padStart(2, "0")}T10:00`);

  it.each([
    // February visits, March visits already made, expected decision for one more in March
    [1, 6, "grant"], // 4 + 3 = 7 available, 6 used
    [1, 7, "deny"],
    [4, 3, "grant"], // nothing carried
    [4, 4, "deny"],
    [0, 7, "grant"], // 4 + 4 = 8
    [0, 8, "deny"],
  ] as const)(
    "R7: 4 a month with rollover, %i used in Feb and %i in Mar: the next March visit is a %s",
    (feb, mar, decision) => {
      const f = rollover("2026-01-10", [...days("2026-02", feb), ...days("2026-03", mar)]);
      expect(scan(site, f, "2026-03-20T10:00", "pool").decision).toBe(decision);
    },
  );

  it("R7: unused entries are not carried twice (Jan and Feb unused give March 8, not 12)", () => {
    const f = rollover("2025-12-01", days("2026-03", 8));
    expect(scan(site, f, "2026-03-20T10:00", "pool").reason).toBe("allowance_used");
    const g = rollover("2025-12-01", days("2026-03", 7));
    expect(scan(site, g, "2026-03-20T10:00", "pool").decision).toBe("grant");
  });

  it("R7: a February that used its rollover (6 of 4+4) carries nothing into March", () => {
    const f = rollover("2026-01-01", [...days("2026-02", 6), ...days("2026-03", 4)]);
    expect(scan(site, f, "2026-03-20T10:00", "pool").reason).toBe("allowance_used");
  });

  it("R7: a multipack that starts in the current period has nothing to roll over", () => {
    const f = rollover("2026-03-05", days("2026-03", 4));
    expect(scan(site, f, "2026-03-20T10:00", "pool").reason).toBe("allowance_used");
  });

  it("R7: rollover works for chargePeriod periods (1 a week from validFrom, carried once)", () => {
    // validFrom Wed 2026-03-04: periods start on Wednesdays. Unused last week → 2 this week.
    const f = {
      multipacks: [mp("mp-c", "plan-cp-rollover", "2026-03-04T08:00")],
      visits: poolVisits("mp-c", "plan-cp-rollover", ["2026-03-18T10:00"]),
    };
    expect(scan(site, f, "2026-03-20T10:00", "pool").decision).toBe("grant");
    f.visits.push(...poolVisits("mp-c", "plan-cp-rollover", ["2026-03-19T10:00"]));
    expect(scan(site, f, "2026-03-20T10:00", "pool").reason).toBe("allowance_used");
  });
});

import { describe, expect, it } from "vitest";
import type { VisitFact } from "../../gateway/engine/types.js";
import { mp, rome, scan, visit } from "./engineFixture.js";

/** A site with CrossFit and yoga in the studio, a gym, and the limits a test passes in. */
function siteWith(limits: Record<string, unknown>[]) {
  return rome({
    accessTypes: [
      { id: "crossfit", areas: ["studio"] },
      { id: "yoga", areas: ["studio"] },
      { id: "gym-all", areas: ["gym"] },
    ],
    products: [
      {
        id: "unlimited",
        credits: 0,
        chargePeriod: { months: 1 },
        items: [
          { accessType: "crossfit", credits: 0, priority: 1 },
          { accessType: "yoga", credits: 0, priority: 2 },
          { accessType: "gym-all", credits: 0 },
        ],
      },
      {
        id: "classes10",
        credits: 10,
        validity: { months: 3 },
        items: [
          { accessType: "crossfit", credits: 1, priority: 1 },
          { accessType: "yoga", credits: 1, priority: 2 },
        ],
      },
    ],
    limits,
  });
}
const unlimited = (validFrom = "2027-01-15") => mp("mp-u", "unlimited", `${validFrom}T08:00`);
const classes = () => mp("mp-c", "classes10", "2027-03-01T08:00");
const v = (atLocal: string, accessTypeId: string, multipackId = "mp-u", productId = "unlimited"): VisitFact =>
  visit(atLocal, {
    multipackId,
    productId,
    accessTypeId,
    area: accessTypeId === "gym-all" ? "gym" : "studio",
    credits: productId === "unlimited" ? 0 : 1,
  });

describe("R8 limit periods", () => {
  // 2027-03-22 is a Monday.
  it.each([
    ["day", ["2027-03-23T08:00"], "2027-03-23T20:00", "2027-03-24T00:00"],
    ["week", ["2027-03-22T00:00"], "2027-03-28T23:59", "2027-03-29T00:00"],
    ["month", ["2027-03-01T00:00"], "2027-03-31T23:59", "2027-04-01T00:00"],
    // chargePeriod of the unlimited product (1 month from validFrom 15 Jan): [15 Mar, 15 Apr).
    ["chargePeriod", ["2027-03-15T00:00"], "2027-04-14T23:59", "2027-04-15T00:00"],
  ])(
    "R8: 1 crossfit per %s is reached in the period and free again in the next",
    (period, times, same, next) => {
      const site = siteWith([{ id: "cf", amount: 1, period, accessTypes: ["crossfit"] }]);
      const f = { multipacks: [unlimited()], visits: times.map((t) => v(t, "crossfit")) };
      // Yoga is outside the limit's scope, so the test forbids it to see the crossfit decision alone.
      const cfOnly = siteWith([
        { id: "cf", amount: 1, period, accessTypes: ["crossfit"] },
        { id: "no-yoga", amount: 0, period: "day", accessTypes: ["yoga"] },
      ]);
      expect(scan(cfOnly, f, same, "studio")).toMatchObject({ decision: "deny", reason: "limit_reached" });
      expect(scan(cfOnly, f, next, "studio")).toMatchObject({ decision: "grant", accessTypeId: "crossfit" });
      // With yoga allowed, the limit skips the crossfit candidate and yoga is chosen instead (R9 falls through).
      expect(scan(site, f, same, "studio")).toMatchObject({ decision: "grant", accessTypeId: "yoga" });
    },
  );

  it("R8: a validity limit counts the multipack's whole validity, not visits before it", () => {
    const site = siteWith([{ id: "trial", amount: 2, period: "validity", products: ["classes10"] }]);
    // classes10 bought 1 Mar 2027 for 3 months: the February visit through another pack is outside.
    const visits = [
      v("2027-02-20T10:00", "crossfit", "mp-old", "classes10"),
      v("2027-03-02T10:00", "crossfit", "mp-c", "classes10"),
    ];
    expect(scan(site, { multipacks: [classes()], visits }, "2027-05-30T10:00", "studio").decision).toBe(
      "grant",
    );
    visits.push(v("2027-04-02T10:00", "yoga", "mp-c", "classes10"));
    expect(scan(site, { multipacks: [classes()], visits }, "2027-05-30T10:00", "studio").reason).toBe(
      "limit_reached",
    );
  });

  it("R8: chargePeriod periods are anchored at validFrom with month-end clamping", () => {
    // validFrom 31 Jan: periods [31 Jan, 28 Feb), [28 Feb, 31 Mar).
    const site = siteWith([{ id: "cp", amount: 1, period: "chargePeriod", areas: ["gym"] }]);
    const f = { multipacks: [unlimited("2027-01-31")], visits: [v("2027-02-27T10:00", "gym-all")] };
    expect(scan(site, f, "2027-02-27T20:00", "gym").reason).toBe("limit_reached");
    expect(scan(site, f, "2027-02-28T08:00", "gym").decision).toBe("grant");
  });

  it("R8: a limit with amount 0 always denies in its scope", () => {
    const site = siteWith([{ id: "closed", amount: 0, period: "day", areas: ["gym"] }]);
    const d = scan(site, { multipacks: [unlimited()] }, "2027-03-22T10:00", "gym");
    expect(d).toMatchObject({
      decision: "deny",
      reason: "limit_reached",
      message: "Limit reached: 0 per day",
    });
  });
});

describe("R8 limit scopes", () => {
  const when = "2027-03-23T18:00";
  const oneGym = [v("2027-03-23T08:00", "gym-all")];

  it.each([
    ["all (empty lists)", {}, "gym", true],
    ["areas [gym]", { areas: ["gym"] }, "gym", true],
    ["areas [studio]", { areas: ["studio"] }, "gym", false],
    ["accessTypes [gym-all]", { accessTypes: ["gym-all"] }, "gym", true],
    ["accessTypes [crossfit]", { accessTypes: ["crossfit"] }, "gym", false],
    ["products [unlimited]", { products: ["unlimited"] }, "gym", true],
    ["products [classes10]", { products: ["classes10"] }, "gym", false],
    ["areas [gym] and products [unlimited]", { areas: ["gym"], products: ["unlimited"] }, "gym", true],
    [
      "areas [gym] and products [classes10] (ANDed)",
      { areas: ["gym"], products: ["classes10"] },
      "gym",
      false,
    ],
    [
      "accessTypes [gym-all] and areas [studio] (ANDed)",
      { accessTypes: ["gym-all"], areas: ["studio"] },
      "gym",
      false,
    ],
  ])(
    "R8: a limit of 1 a day scoped to %s, after one gym visit, applies: %s",
    (_label, scope, area, applies) => {
      const site = siteWith([{ id: "l", amount: 1, period: "day", ...scope }]);
      const d = scan(site, { multipacks: [unlimited()], visits: oneGym }, when, area);
      expect(d.reason).toBe(applies ? "limit_reached" : "ok");
    },
  );

  it("R8: visits counted for a product-scoped limit are those of that product only", () => {
    const site = siteWith([{ id: "l", amount: 1, period: "day", products: ["classes10"] }]);
    const f = { multipacks: [classes()], visits: [v("2027-03-23T08:00", "crossfit")] }; // through unlimited
    expect(scan(site, f, when, "studio")).toMatchObject({ decision: "grant", multipackId: "mp-c" });
  });

  it("R8: a limit counts the member's visits through all multipacks in scope", () => {
    const site = siteWith([{ id: "l", amount: 2, period: "day", areas: ["studio"] }]);
    const visits = [v("2027-03-23T08:00", "crossfit"), v("2027-03-23T09:00", "yoga", "mp-c", "classes10")];
    const d = scan(site, { multipacks: [unlimited(), classes()], visits }, when, "studio");
    expect(d.reason).toBe("limit_reached");
    expect(d.trace.filter((r) => r.reason === "limit_reached")).toHaveLength(4);
  });

  it("R8: a product-scoped limit skips only that product's candidates; another product can still pay", () => {
    const site = siteWith([{ id: "l", amount: 1, period: "day", products: ["unlimited"] }]);
    const f = { multipacks: [unlimited(), classes()], visits: [v("2027-03-23T08:00", "crossfit")] };
    expect(scan(site, f, when, "studio")).toMatchObject({
      decision: "grant",
      multipackId: "mp-c",
      accessTypeId: "crossfit",
      creditsDeducted: 1,
    });
  });
});

describe("R8 OR within a list, AND across lists", () => {
  // One limit: 1 visit a day of crossfit OR yoga, AND through classes10.
  const site = siteWith([
    { id: "l", amount: 1, period: "day", accessTypes: ["crossfit", "yoga"], products: ["classes10"] },
  ]);
  const when = "2027-03-23T18:00";

  it.each([
    [
      "a crossfit visit through classes10",
      "limit_reached",
      v("2027-03-23T08:00", "crossfit", "mp-c", "classes10"),
    ],
    [
      "a yoga visit through classes10 (OR within accessTypes)",
      "limit_reached",
      v("2027-03-23T08:00", "yoga", "mp-c", "classes10"),
    ],
    [
      "a crossfit visit through unlimited (AND across: another product)",
      "ok",
      v("2027-03-23T08:00", "crossfit"),
    ],
    [
      "a gym visit through classes10 (AND across: another access type)",
      "ok",
      v("2027-03-23T08:00", "gym-all", "mp-c", "classes10"),
    ],
  ])(
    "R8: OR within a list, AND across lists: after %s, classes10 in the studio is %s",
    (_label, reason, visit) => {
      const d = scan(site, { multipacks: [classes()], visits: [visit] }, when, "studio");
      expect(d.reason).toBe(reason);
      // OR within: both of classes10's studio items (crossfit and yoga) fall in the scope alike.
      const limited = d.trace.filter((r) => r.reason === "limit_reached").map((r) => r.accessTypeId);
      expect(limited).toEqual(reason === "ok" ? [] : ["crossfit", "yoga"]);
    },
  );

  it("R8: OR within a list, AND across lists: a product not listed is outside the scope, so unlimited still enters", () => {
    const counted = v("2027-03-23T08:00", "crossfit", "mp-c", "classes10");
    const d = scan(site, { multipacks: [classes(), unlimited()], visits: [counted] }, when, "studio");
    expect(d).toMatchObject({ decision: "grant", multipackId: "mp-u", accessTypeId: "crossfit" });
    expect(d.trace.filter((r) => r.reason === "limit_reached").map((r) => r.multipackId)).toEqual([
      "mp-c",
      "mp-c",
    ]);
  });
});

describe("R8 several limits are ANDed", () => {
  // "9 classes a week, of which 3 CrossFit" is two limits.
  const site = siteWith([
    { id: "classes", amount: 9, period: "week", areas: ["studio"] },
    { id: "crossfit", amount: 3, period: "week", accessTypes: ["crossfit"] },
  ]);
  const week = (n: number, type: string, startDay = 22) =>
    Array.from({ length: n }, (_, i) =>
      v(`2027-03-${startDay + (i % 5)}T${String(8 + i).padStart(2, "0")}:00`, type),
    );

  it("R8: after 3 CrossFit classes the 4th CrossFit is refused and yoga is chosen instead", () => {
    const f = { multipacks: [unlimited()], visits: week(3, "crossfit") };
    const d = scan(site, f, "2027-03-26T20:00", "studio");
    expect(d).toMatchObject({ decision: "grant", accessTypeId: "yoga" });
    expect(d.trace).toContainEqual(
      expect.objectContaining({ accessTypeId: "crossfit", reason: "limit_reached" }),
    );
  });

  it("R8: with only CrossFit available the 4th is refused limit_reached", () => {
    const only = siteWith([
      { id: "classes", amount: 9, period: "week", areas: ["studio"] },
      { id: "crossfit", amount: 3, period: "week", accessTypes: ["crossfit"] },
      { id: "no-yoga", amount: 0, period: "week", accessTypes: ["yoga"] },
    ]);
    const f = { multipacks: [unlimited()], visits: week(3, "crossfit") };
    expect(scan(only, f, "2027-03-26T20:00", "studio")).toMatchObject({
      decision: "deny",
      reason: "limit_reached",
      message: "Limit reached: 3 per week",
    });
  });

  it("R8: after 9 classes (3 CrossFit, 6 yoga) every class is refused", () => {
    const f = { multipacks: [unlimited()], visits: [...week(3, "crossfit"), ...week(6, "yoga")] };
    const d = scan(site, f, "2027-03-27T20:00", "studio");
    expect(d).toMatchObject({ decision: "deny", reason: "limit_reached" });
  });

  it("R8: 2 CrossFit and 6 yoga leave room for one more class of either kind", () => {
    const f = { multipacks: [unlimited()], visits: [...week(2, "crossfit"), ...week(6, "yoga")] };
    expect(scan(site, f, "2027-03-27T20:00", "studio")).toMatchObject({
      decision: "grant",
      accessTypeId: "crossfit",
    });
  });

  it("R8: the limits renew with the next Monday", () => {
    const f = { multipacks: [unlimited()], visits: [...week(3, "crossfit"), ...week(6, "yoga")] };
    expect(scan(site, f, "2027-03-29T08:00", "studio")).toMatchObject({
      decision: "grant",
      accessTypeId: "crossfit",
    });
  });

  it("R8: limits do not touch areas outside their scope", () => {
    const f = { multipacks: [unlimited()], visits: [...week(3, "crossfit"), ...week(6, "yoga")] };
    expect(scan(site, f, "2027-03-27T20:00", "gym").decision).toBe("grant");
  });
});

import { describe, expect, it } from "vitest";
import { historyHorizonDays, horizonStart } from "../../gateway/engine/horizon.js";
import { at, siteConfig } from "../helpers/build.js";
import { exampleDoc } from "../helpers/examples.js";

const ALWAYS = { days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "hol"], from: "00:00", to: "24:00" };

/** A Rome site with a gym and a studio, the products and limits a test names, and a site interval. */
function horizonOf(p: { products?: Record<string, unknown>[]; limits?: unknown[]; interval?: number }) {
  return historyHorizonDays(
    siteConfig({
      site: { id: "rome-center", timezone: "Europe/Rome", deductionIntervalMinutes: p.interval ?? 0 },
      areas: [{ id: "gym" }, { id: "studio" }],
      accessTypes: [
        { id: "gym-all", areas: ["gym"], windows: [ALWAYS] },
        { id: "studio-all", areas: ["studio"], windows: [ALWAYS] },
      ],
      products: p.products ?? [{ id: "gym10", credits: 10, items: [{ accessType: "gym-all", credits: 1 }] }],
      limits: p.limits ?? [],
    }),
  );
}

/** A product of one gym item with the given settings on the product and on its item. */
function gymProduct(product: Record<string, unknown>, item: Record<string, unknown> = {}) {
  return {
    id: "gym10",
    credits: 10,
    validity: { months: 3 },
    ...product,
    items: [{ accessType: "gym-all", credits: 1, ...item }],
  };
}

describe("the history horizon (sync.md)", () => {
  it("is 0 days for a site whose rules read no history", () => {
    expect(horizonOf({})).toBe(0);
  });

  it("R5: the longest deduction interval in whole days, rounded up (site, product or item)", () => {
    expect(horizonOf({ interval: 90 })).toBe(1);
    expect(horizonOf({ interval: 1440 })).toBe(1);
    expect(horizonOf({ products: [gymProduct({ deductionIntervalMinutes: 1441 })] })).toBe(2);
    expect(horizonOf({ interval: 60, products: [gymProduct({}, { deductionIntervalMinutes: 4321 })] })).toBe(
      4,
    );
  });

  it("R7: an allowance period at its longest, one period more with rollover", () => {
    const allowance = (period: string, rollover = false) =>
      horizonOf({ products: [gymProduct({}, { allowance: { count: 1, period, rollover } })] });
    expect(allowance("day")).toBe(1);
    expect(allowance("week")).toBe(7);
    expect(allowance("month")).toBe(31);
    expect(allowance("year")).toBe(366);
    expect(allowance("month", true)).toBe(62);
    expect(allowance("year", true)).toBe(732);
  });

  it("R7: a chargePeriod allowance is the charge period, else the validity (fromFirstUse counted from first use)", () => {
    const item = { allowance: { count: 4, period: "chargePeriod", rollover: true } };
    expect(horizonOf({ products: [gymProduct({ chargePeriod: { weeks: 2 } }, item)] })).toBe(28);
    expect(horizonOf({ products: [gymProduct({ validity: { days: 10 } }, item)] })).toBe(20);
    expect(horizonOf({ products: [gymProduct({ validity: { fromFirstUse: { months: 1 } } }, item)] })).toBe(
      62,
    );
    expect(horizonOf({ products: [gymProduct({ validity: { indefinite: true } }, item)] })).toBeNull();
    expect(horizonOf({ products: [gymProduct({ validity: { until: "2027-12-31" } }, item)] })).toBeNull();
  });

  it("R8: a calendar limit period at its longest", () => {
    const limit = (period: string) => horizonOf({ limits: [{ id: "cap", amount: 3, period }] });
    expect(limit("day")).toBe(1);
    expect(limit("week")).toBe(7);
    expect(limit("month")).toBe(31);
    expect(limit("year")).toBe(366);
  });

  it("R8: a chargePeriod limit counts the charge period of each product it applies to, else its validity", () => {
    const products = [
      gymProduct({ chargePeriod: { months: 1 } }),
      { id: "yoga", credits: 0, validity: { years: 1 }, items: [{ accessType: "studio-all", credits: 0 }] },
    ];
    expect(horizonOf({ products, limits: [{ id: "cap", amount: 8, period: "chargePeriod" }] })).toBe(366);
    const gymOnly = { id: "cap", amount: 8, period: "chargePeriod", products: ["gym10"] };
    expect(horizonOf({ products, limits: [gymOnly] })).toBe(31);
  });

  it("the products' charge periods count on their own", () => {
    expect(horizonOf({ products: [gymProduct({ chargePeriod: { years: 1 } })] })).toBe(366);
    expect(horizonOf({ products: [gymProduct({ chargePeriod: { days: 45 } })] })).toBe(45);
  });

  it("R8: a validity limit counts the validity of the products it applies to; none when one is indefinite", () => {
    const yoga = (validity: unknown) => ({
      id: "yoga",
      credits: 0,
      ...(validity === undefined ? {} : { validity }),
      items: [{ accessType: "studio-all", credits: 0 }],
    });
    const limit = { id: "cap", amount: 20, period: "validity" };
    expect(horizonOf({ products: [gymProduct({}), yoga({ weeks: 10 })], limits: [limit] })).toBe(93);
    expect(horizonOf({ products: [gymProduct({}), yoga({ indefinite: true })], limits: [limit] })).toBeNull();
    expect(horizonOf({ products: [gymProduct({}), yoga(undefined)], limits: [limit] })).toBeNull();
    expect(
      horizonOf({ products: [gymProduct({}), yoga({ until: "2027-06-30" })], limits: [limit] }),
    ).toBeNull();
    // Before its first use a multipack's validity runs from its purchase, and the limit counts the
    // visits of the member's other yoga multipacks in it: the configuration bounds nothing.
    expect(
      horizonOf({ products: [gymProduct({}), yoga({ fromFirstUse: { days: 30 } })], limits: [limit] }),
    ).toBeNull();
  });

  it("R8: a validity limit ignores products it cannot apply to (by product, access type or area)", () => {
    const products = [
      gymProduct({}),
      { id: "yoga", credits: 0, items: [{ accessType: "studio-all", credits: 0 }] },
    ];
    const scoped = (scope: Record<string, unknown>) =>
      horizonOf({ products, limits: [{ id: "cap", amount: 20, period: "validity", ...scope }] });
    expect(scoped({ products: ["gym10"] })).toBe(93);
    expect(scoped({ accessTypes: ["gym-all"] })).toBe(93);
    expect(scoped({ areas: ["gym"] })).toBe(93);
    expect(scoped({ areas: ["studio"] })).toBeNull();
  });

  it("is 7 days for the worked example: the studio's weekly limit outlasts a day's allowance and 90 minutes", () => {
    expect(historyHorizonDays(siteConfig(exampleDoc("site.yaml")))).toBe(7);
  });
});

describe("where the horizon starts", () => {
  it("at local midnight of the day holding now − days × 24 h", () => {
    expect(horizonStart(7, at("2027-03-22T10:00"), "Europe/Rome")).toBe(at("2027-03-15T00:00"));
    expect(horizonStart(0, at("2027-03-22T10:00"), "Europe/Rome")).toBe(at("2027-03-22T00:00"));
    expect(horizonStart(null, at("2027-03-22T10:00"), "Europe/Rome")).toBe(Number.NEGATIVE_INFINITY);
  });

  it("keeps a whole month of 31 days with its extra DST hour, at 23:30 on 31 October", () => {
    // October 2027 in Rome has 745 hours: 31 × 24 h back from its last half hour is still in October.
    const now = at("2027-10-31T23:30");
    expect(horizonStart(31, now, "Europe/Rome")).toBeLessThanOrEqual(at("2027-10-01T00:00"));
  });

  it("R5: keeps a 24-hour interval that reaches back over a 23-hour day", () => {
    // 28 March 2027 has 23 hours in Rome: 24 h before 00:30 on the 29th is 23:30 on the 27th.
    const now = at("2027-03-29T00:30");
    expect(horizonStart(1, now, "Europe/Rome")).toBeLessThanOrEqual(now - 24 * 3_600_000);
  });
});

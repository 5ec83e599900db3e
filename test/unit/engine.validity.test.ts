import { describe, expect, it } from "vitest";
import { at } from "../helpers/build.js";
import { mp, product, rome, scan } from "./engineFixture.js";

/** One around-the-clock gym access type, and one product per kind of validity. */
const VALIDITIES: Record<string, unknown> = {
  d1: { days: 1 },
  d10: { days: 10 },
  w2: { weeks: 2 },
  m1: { months: 1 },
  m3: { months: 3 },
  y1: { years: 1 },
  season: { until: "2026-09-15" },
  first10d: { fromFirstUse: { days: 10 } },
  first1m: { fromFirstUse: { months: 1 } },
  forever: { indefinite: true },
};
const site = rome({
  accessTypes: [{ id: "gym-all", areas: ["gym"] }],
  products: [
    ...Object.entries(VALIDITIES).map(([id, validity]) => product(id, 10, ["gym-all"], { validity })),
    product("none", 10, ["gym-all"]),
  ],
});

/** The decision for one multipack of `productId` bought at `purchased`, scanned at `when`. */
function one(productId: string, purchased: string, when: string | number, extra = {}) {
  return scan(site, { multipacks: [mp("mp-1", productId, purchased, extra)] }, when);
}

describe("R2 validUntil computed from the product", () => {
  it.each([
    ["d1", "2026-05-10T09:00", "2026-05-10"],
    ["d10", "2026-05-10T09:00", "2026-05-19"],
    ["w2", "2026-05-10T09:00", "2026-05-23"],
    ["m1", "2026-01-15T09:00", "2026-02-14"],
    ["m1", "2026-01-31T09:00", "2026-02-28"],
    ["m1", "2026-01-30T09:00", "2026-02-28"],
    ["m1", "2026-01-28T09:00", "2026-02-27"],
    ["m1", "2028-01-31T09:00", "2028-02-29"],
    ["m1", "2026-12-31T09:00", "2027-01-30"],
    ["m3", "2027-03-01T18:00", "2027-05-31"],
    ["m3", "2026-11-30T09:00", "2027-02-28"],
    ["y1", "2026-05-10T09:00", "2027-05-09"],
    ["y1", "2028-02-29T09:00", "2029-02-28"],
    ["season", "2026-06-20T09:00", "2026-09-15"],
    ["season", "2026-01-02T09:00", "2026-09-15"],
  ])("R2: %s bought %s is usable until the end of %s and expired the next day", (p, bought, last) => {
    expect(one(p, bought, `${last}T23:59:59.999`)).toMatchObject({ decision: "grant", reason: "ok" });
    const next = new Date(Date.parse(`${last}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    expect(one(p, bought, `${next}T00:00`)).toMatchObject({ decision: "deny", reason: "expired" });
  });

  it("R2: 2026-01-31 + 1 month is usable on 2026-02-28 and expired on 2026-03-01, not the other way round", () => {
    expect(one("m1", "2026-01-31T09:00", "2026-02-28T20:00").decision).toBe("grant");
    const d = one("m1", "2026-01-31T09:00", "2026-03-01T08:00");
    expect(d).toMatchObject({ decision: "deny", reason: "expired", message: "Expired on 28 Feb 2026" });
  });

  it("R2: a one-day pass is usable on its purchase date only", () => {
    expect(one("d1", "2026-05-10T09:00", "2026-05-10T22:00").decision).toBe("grant");
    expect(one("d1", "2026-05-10T09:00", "2026-05-11T06:00").reason).toBe("expired");
  });

  it.each(["forever", "none"])("R2: %s validity never ends", (p) => {
    expect(one(p, "2026-05-10T09:00", "2099-12-31T23:00")).toMatchObject({ decision: "grant" });
  });
});

describe("R2 explicit dates in member data", () => {
  it("R2: an explicit validUntil wins over the product's validity", () => {
    const extra = { validUntil: "2026-12-31" };
    expect(one("m1", "2026-05-10T09:00", "2026-12-31T23:00", extra).decision).toBe("grant");
    expect(one("m1", "2026-05-10T09:00", "2027-01-01T00:00", extra).reason).toBe("expired");
  });

  it("R2: an explicit validUntil shorter than the product's validity ends it earlier", () => {
    expect(one("forever", "2026-05-10T09:00", "2026-05-13T08:00", { validUntil: "2026-05-12" }).reason).toBe(
      "expired",
    );
  });

  it("R2: an explicit validFrom later than the purchase starts it later, and the product counts from it", () => {
    const extra = { validFrom: "2026-06-01" };
    const before = one("m1", "2026-05-10T09:00", "2026-05-31T23:59", extra);
    expect(before).toMatchObject({
      decision: "deny",
      reason: "not_yet_valid",
      message: "Valid from 1 Jun 2026",
    });
    expect(one("m1", "2026-05-10T09:00", "2026-06-01T00:00", extra).decision).toBe("grant");
    expect(one("m1", "2026-05-10T09:00", "2026-06-30T23:00", extra).decision).toBe("grant");
    expect(one("m1", "2026-05-10T09:00", "2026-07-01T00:00", extra).reason).toBe("expired");
  });

  it("R2: an explicit validFrom earlier than the purchase does not open it before the purchase instant", () => {
    const extra = { validFrom: "2026-05-01" };
    expect(one("m1", "2026-05-10T09:00", "2026-05-05T10:00", extra).reason).toBe("not_yet_valid");
    expect(one("m1", "2026-05-10T09:00", "2026-05-10T09:00", extra).decision).toBe("grant");
  });
});

describe("R2 the purchase instant", () => {
  it("R2: on the purchase day it is not_yet_valid before the purchase instant and usable from it", () => {
    const d = one("d10", "2026-05-10T12:00", "2026-05-10T11:59:59.999");
    expect(d).toMatchObject({ decision: "deny", reason: "not_yet_valid", message: "Valid from 12:00" });
    expect(one("d10", "2026-05-10T12:00", "2026-05-10T12:00").decision).toBe("grant");
  });

  it("R2: a day before the purchase it is not_yet_valid", () => {
    expect(one("d10", "2026-05-10T12:00", "2026-05-09T20:00").reason).toBe("not_yet_valid");
  });

  it("R2: validFrom is the local (Rome) date of a purchase made late in the evening UTC", () => {
    // 2026-05-10T22:30Z is 11 May 00:30 in Rome: a one-day pass for the 11th.
    const bought = Date.parse("2026-05-10T22:30:00Z");
    const f = { multipacks: [{ ...mp("mp-1", "d1", "2026-01-01T00:00"), purchasedAt: bought }] };
    expect(scan(site, f, "2026-05-11T23:00").decision).toBe("grant");
    expect(scan(site, f, "2026-05-12T00:00").reason).toBe("expired");
  });
});

describe("R2 fromFirstUse", () => {
  it("R2: before its first use it is usable from the purchase on, however late", () => {
    expect(one("first10d", "2026-01-10T09:00", "2026-01-10T08:59").reason).toBe("not_yet_valid");
    expect(one("first10d", "2026-01-10T09:00", "2026-01-10T09:00").decision).toBe("grant");
    expect(one("first10d", "2026-01-10T09:00", "2026-08-01T10:00").decision).toBe("grant");
  });

  it("R2: the first use fixes validFrom to its local date, and validUntil follows", () => {
    const extra = { firstUseAt: at("2026-02-03T10:00") };
    expect(one("first10d", "2026-01-10T09:00", "2026-02-12T23:59:59.999", extra).decision).toBe("grant");
    const d = one("first10d", "2026-01-10T09:00", "2026-02-13T00:00", extra);
    expect(d).toMatchObject({ reason: "expired", message: "Expired on 12 Feb 2026" });
  });

  it("R2: a first use on 31 Jan with one month runs until 28 Feb (month-end clamping)", () => {
    const extra = { firstUseAt: at("2026-01-31T18:00") };
    expect(one("first1m", "2026-01-02T09:00", "2026-02-28T22:00", extra).decision).toBe("grant");
    expect(one("first1m", "2026-01-02T09:00", "2026-03-01T07:00", extra).reason).toBe("expired");
  });

  it("R2: a first use just after local midnight counts for the local date, not the UTC one", () => {
    // 00:30 in Rome on 1 Feb is 23:30 UTC on 31 Jan.
    const extra = { firstUseAt: at("2026-02-01T00:30") };
    expect(one("first10d", "2026-01-02T09:00", "2026-02-10T23:00", extra).decision).toBe("grant");
    expect(one("first10d", "2026-01-02T09:00", "2026-02-11T00:00", extra).reason).toBe("expired");
  });
});

describe("R2 suspensions and status", () => {
  // m1 from 2026-03-01: until 2026-03-31, pushed 5 days to 2026-04-05 by the suspension.
  const susp = { suspensions: [{ from: "2026-03-10", to: "2026-03-14" }] };

  it.each([
    ["2026-03-09T23:59:59.999", "grant", "ok"],
    ["2026-03-10T00:00", "deny", "suspended"],
    ["2026-03-14T23:59:59.999", "deny", "suspended"],
    ["2026-03-15T00:00", "grant", "ok"],
    ["2026-04-05T23:59:59.999", "grant", "ok"],
    ["2026-04-06T00:00", "deny", "expired"],
  ] as const)("R2: suspended 10–14 Mar, at %s it is %s (%s)", (when, decision, reason) => {
    expect(one("m1", "2026-03-01T09:00", when, susp)).toMatchObject({ decision, reason });
  });

  it("R2/R15: a suspended multipack says until when", () => {
    expect(one("m1", "2026-03-01T09:00", "2026-03-12T10:00", susp).message).toBe(
      "Suspended until 14 Mar 2026",
    );
  });

  it("R2: several suspensions add their lengths", () => {
    const two = { suspensions: [...susp.suspensions, { from: "2026-03-20", to: "2026-03-21" }] };
    expect(one("m1", "2026-03-01T09:00", "2026-04-07T23:00", two).decision).toBe("grant");
    expect(one("m1", "2026-03-01T09:00", "2026-04-08T00:00", two).reason).toBe("expired");
  });

  it("R2: a suspension pushes an explicit validUntil too", () => {
    const extra = { validUntil: "2026-06-30", suspensions: [{ from: "2026-06-01", to: "2026-06-03" }] };
    expect(one("m1", "2026-03-01T09:00", "2026-07-03T12:00", extra).decision).toBe("grant");
    expect(one("m1", "2026-03-01T09:00", "2026-07-04T00:00", extra).reason).toBe("expired");
  });

  it("R2: a suspension does not push an indefinite multipack to an end", () => {
    expect(one("forever", "2026-03-01T09:00", "2090-01-01T12:00", susp).decision).toBe("grant");
    expect(one("forever", "2026-03-01T09:00", "2026-03-11T12:00", susp).reason).toBe("suspended");
  });

  it("R2: a stored multipack is inactive, even inside its dates", () => {
    const d = one("m1", "2026-03-01T09:00", "2026-03-05T10:00", { status: "stored" });
    expect(d).toMatchObject({
      decision: "deny",
      reason: "inactive",
      message: "Membership not active — please see reception",
    });
  });

  it("R2: a multipack of a product the configuration no longer has is inactive", () => {
    const d = one("gone", "2026-03-01T09:00", "2026-03-05T10:00");
    expect(d).toMatchObject({ decision: "deny", reason: "inactive" });
    expect(d.trace[0]?.detail).toContain('unknown product "gone"');
  });
});

describe("R2 local dates across daylight-saving changes (Europe/Rome)", () => {
  it("R2: a 7-day pass bought 26 Mar 2026 runs across the spring change until the end of 1 Apr", () => {
    expect(one("d10", "2026-03-26T12:00", "2026-04-04T23:59:59.999").decision).toBe("grant");
    const week = rome({
      accessTypes: [{ id: "gym-all", areas: ["gym"] }],
      products: [product("d7", 3, ["gym-all"], { validity: { days: 7 } })],
    });
    const f = { multipacks: [mp("mp-1", "d7", "2026-03-26T12:00")] };
    expect(scan(week, f, "2026-04-01T23:59:59.999").decision).toBe("grant");
    expect(scan(week, f, "2026-04-02T00:00").reason).toBe("expired");
  });

  it("R2: on the 23-hour day of 29 Mar 2026 a one-day pass ends at 23:59:59.999 local (21:59:59.999Z)", () => {
    const bought = "2026-03-29T00:30";
    expect(at("2026-03-29T23:59:59.999")).toBe(Date.parse("2026-03-29T21:59:59.999Z"));
    expect(one("d1", bought, Date.parse("2026-03-29T21:59:59.999Z")).decision).toBe("grant");
    expect(one("d1", bought, Date.parse("2026-03-29T22:00:00.000Z")).reason).toBe("expired");
  });

  it("R2: on the 25-hour day of 25 Oct 2026 a one-day pass lasts until 23:59:59.999 local (22:59:59.999Z)", () => {
    expect(one("d1", "2026-10-25T00:30", Date.parse("2026-10-25T22:59:59.999Z")).decision).toBe("grant");
    expect(one("d1", "2026-10-25T00:30", Date.parse("2026-10-25T23:00:00.000Z")).reason).toBe("expired");
  });

  it("R2: a month bought the day before the spring change ends on the same calendar day a month later", () => {
    expect(one("m1", "2026-03-28T20:00", "2026-04-27T23:59").decision).toBe("grant");
    expect(one("m1", "2026-03-28T20:00", "2026-04-28T00:00").reason).toBe("expired");
  });
});

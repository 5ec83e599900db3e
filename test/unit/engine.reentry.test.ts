import { describe, expect, it } from "vitest";
import { mp, rome, scan, visit } from "./engineFixture.js";

/** A site whose pool and gym products differ only in where the deduction interval is set. */
function siteWith(
  siteDefault: number | undefined,
  productMinutes: number | undefined,
  itemMinutes: number | undefined,
) {
  const item: Record<string, unknown> = { accessType: "pool-all", credits: 1, priority: 1 };
  if (itemMinutes !== undefined) item.deductionIntervalMinutes = itemMinutes;
  const prod: Record<string, unknown> = { id: "swim", credits: 10, items: [item] };
  if (productMinutes !== undefined) prod.deductionIntervalMinutes = productMinutes;
  return rome({
    site: siteDefault === undefined ? {} : { deductionIntervalMinutes: siteDefault },
    accessTypes: [{ id: "pool-all", areas: ["pool"] }],
    products: [prod],
  });
}
const swim = (id = "mp-1", extra = {}) => mp(id, "swim", "2027-03-01T10:00", { used: 1, ...extra });
const charged = (atLocal = "2027-03-22T10:00", multipackId = "mp-1", area = "pool") =>
  visit(atLocal, { multipackId, area, productId: "swim", accessTypeId: "pool-all", credits: 1 });

describe("R5 which deduction interval applies", () => {
  it.each([
    // site, product, item, minutes that must apply
    [30, 60, 90, 90],
    [30, 60, undefined, 60],
    [30, undefined, undefined, 30],
    [30, 60, 0, 0],
    [30, 0, undefined, 0],
    [undefined, undefined, undefined, 0],
  ])("R5: site %s, product %s, item %s → %i minutes", (s, p, i, minutes) => {
    const site = siteWith(s, p, i);
    const f = { multipacks: [swim()], visits: [charged()] };
    const base = Date.parse("2027-03-22T09:00:00Z"); // 10:00 in Rome
    if (minutes > 0) {
      const inside = scan(site, f, base + (minutes - 1) * 60_000, "pool");
      expect(inside).toMatchObject({
        decision: "grant",
        reason: "reentry",
        creditsDeducted: 0,
        creditsRemaining: 9,
      });
    }
    const after = scan(site, f, base + (minutes + 1) * 60_000, "pool");
    expect(after).toMatchObject({ decision: "grant", reason: "ok", creditsDeducted: 1, creditsRemaining: 8 });
  });
});

describe("R5 re-entries", () => {
  const site = siteWith(0, 120, undefined);

  it("R5: a re-entry within 120 minutes is free and says welcome back", () => {
    const d = scan(site, { multipacks: [swim()], visits: [charged()] }, "2027-03-22T11:30", "pool");
    expect(d).toMatchObject({
      decision: "grant",
      reason: "reentry",
      multipackId: "mp-1",
      accessTypeId: "pool-all",
      creditsDeducted: 0,
      creditsRemaining: 9,
      creditsTotal: 10,
      message: "Welcome back Ada — 9/10 left",
    });
    expect(d.trace[0]).toMatchObject({ outcome: "chosen", reason: "reentry" });
  });

  it("R5: a re-entry within 120 minutes is free and does not extend the interval (anchored at the charged entry)", () => {
    // 10:00 charged, 11:30 a free re-entry (not a counted visit), 12:01 charged again.
    const f = { multipacks: [swim()], visits: [charged()] };
    expect(scan(site, f, "2027-03-22T11:30", "pool").reason).toBe("reentry");
    expect(scan(site, f, "2027-03-22T12:01", "pool")).toMatchObject({ reason: "ok", creditsDeducted: 1 });
  });

  it("R5: the latest charged entry is the anchor", () => {
    const f = {
      multipacks: [swim("mp-1", { used: 2 })],
      visits: [charged("2027-03-22T08:00"), charged("2027-03-22T11:00")],
    };
    expect(scan(site, f, "2027-03-22T12:30", "pool").reason).toBe("reentry");
    expect(scan(site, f, "2027-03-22T13:01", "pool").reason).toBe("ok");
  });

  it("R5: a charged entry recorded elsewhere (ledger entry with area and at) anchors an interval here", () => {
    const elsewhere = visit("2027-03-22T10:00", {
      id: "central:17",
      multipackId: "mp-1",
      area: "pool",
      productId: "swim",
      accessTypeId: null,
      credits: 1,
    });
    const d = scan(site, { multipacks: [swim()], visits: [elsewhere] }, "2027-03-22T10:45", "pool");
    expect(d).toMatchObject({ reason: "reentry", creditsDeducted: 0 });
  });

  it("R5: an entry into a different area is not a re-entry", () => {
    const two = rome({
      accessTypes: [
        { id: "pool-all", areas: ["pool"] },
        { id: "gym-all", areas: ["gym"] },
      ],
      products: [
        {
          id: "swim",
          credits: 10,
          deductionIntervalMinutes: 120,
          items: [
            { accessType: "pool-all", credits: 1 },
            { accessType: "gym-all", credits: 1 },
          ],
        },
      ],
    });
    const d = scan(two, { multipacks: [swim()], visits: [charged()] }, "2027-03-22T10:30", "gym");
    expect(d).toMatchObject({ reason: "ok", creditsDeducted: 1, accessTypeId: "gym-all" });
  });

  it("R5: an entry through another multipack does not make this one a re-entry", () => {
    const other = charged("2027-03-22T10:00", "mp-2");
    const d = scan(site, { multipacks: [swim()], visits: [other] }, "2027-03-22T10:30", "pool");
    expect(d).toMatchObject({ reason: "ok", multipackId: "mp-1", creditsDeducted: 1 });
  });

  it("R5: a visit after `now` (a what-if in the past) anchors nothing", () => {
    const d = scan(
      site,
      { multipacks: [swim()], visits: [charged("2027-03-22T11:00")] },
      "2027-03-22T10:30",
      "pool",
    );
    expect(d.reason).toBe("ok");
  });

  it("R5: a re-entry is allowed even when no credits are left", () => {
    const d = scan(
      site,
      { multipacks: [swim("mp-1", { used: 10 })], visits: [charged()] },
      "2027-03-22T10:30",
      "pool",
    );
    expect(d).toMatchObject({ decision: "grant", reason: "reentry", creditsRemaining: 0 });
  });
});

describe("R5 a re-entry is the same visit for allowances and limits", () => {
  const site = rome({
    accessTypes: [
      { id: "pool-all", areas: ["pool"] },
      { id: "spa-all", areas: ["spa"] },
    ],
    products: [
      {
        id: "premium",
        credits: 0,
        deductionIntervalMinutes: 60,
        items: [{ accessType: "pool-all", credits: 0, allowance: { count: 1, period: "day" } }],
      },
      {
        id: "spa",
        credits: 10,
        deductionIntervalMinutes: 60,
        items: [{ accessType: "spa-all", credits: 1 }],
      },
    ],
    limits: [{ id: "one-spa-a-day", amount: 1, period: "day", areas: ["spa"] }],
  });
  const premium = mp("mp-p", "premium", "2027-03-01T10:00");
  const spa = mp("mp-s", "spa", "2027-03-01T10:00");
  const poolVisit = visit("2027-03-22T10:00", {
    multipackId: "mp-p",
    area: "pool",
    productId: "premium",
    accessTypeId: "pool-all",
    credits: 0,
  });
  const spaVisit = visit("2027-03-22T10:00", {
    multipackId: "mp-s",
    area: "spa",
    productId: "spa",
    accessTypeId: "spa-all",
  });

  it("R5/R7: a re-entry does not use the allowance up (a free counted entry anchors it too)", () => {
    const f = { multipacks: [premium], visits: [poolVisit] };
    expect(scan(site, f, "2027-03-22T10:59", "pool")).toMatchObject({ decision: "grant", reason: "reentry" });
    expect(scan(site, f, "2027-03-22T11:01", "pool")).toMatchObject({
      decision: "deny",
      reason: "allowance_used",
    });
  });

  it("R5/R8: a re-entry does not count against a limit", () => {
    const f = { multipacks: [spa], visits: [spaVisit] };
    expect(scan(site, f, "2027-03-22T10:30", "spa")).toMatchObject({ decision: "grant", reason: "reentry" });
    expect(scan(site, f, "2027-03-22T11:30", "spa")).toMatchObject({
      decision: "deny",
      reason: "limit_reached",
    });
  });
});

import { describe, expect } from "vitest";
import { loadDataFiles } from "../../config/dataFile.js";
import { explain, memberBalance } from "../../gateway/decisions.js";
import { it } from "../harness/index.js";
import { importInputs, scanReq } from "../store/storeHelpers.js";
import {
  member,
  membersFile,
  onlyProblem,
  pack,
  problemsOf,
  type SiteDoc,
  siteDoc,
  storedSite,
} from "./configTestData.js";

const MP = "members.yaml: members[0] (m-1).multipacks[0] (mp-1)";

/** The example site with one change, under the name site.yaml. */
function siteWith(change: (doc: SiteDoc) => void): { name: string; value: SiteDoc } {
  const doc = siteDoc();
  change(doc);
  return { name: "site.yaml", value: doc };
}

/** The example site whose product swim10 (products[0]) has this validity. */
const swimValidity = (validity: unknown) =>
  siteWith((d) => {
    (d.products[0] as Record<string, unknown>).validity = validity;
  });

/** A members file with one multipack of swim10, with overrides. */
const packFile = (over: Record<string, unknown>) => membersFile([member({ multipacks: [pack(over)] })]);

describe("validities and charge periods are at most 100 years, in each unit", () => {
  it.each([
    [{ days: 1e15 }, "days: at most 36525 (100 years) (found 1000000000000000)"],
    [{ days: 36_526 }, "days: at most 36525 (100 years) (found 36526)"],
    [{ weeks: 5_218 }, "weeks: at most 5217 (100 years) (found 5218)"],
    [{ months: 1_201 }, "months: at most 1200 (100 years) (found 1201)"],
    [{ years: 99_999 }, "years: at most 100 (found 99999)"],
    [{ fromFirstUse: { years: 101 } }, "fromFirstUse.years: at most 100 (found 101)"],
  ])("R2: refuses validity %j", (validity, expected) => {
    expect(onlyProblem([swimValidity(validity)], null)).toBe(
      `site.yaml: products[0] (swim10).validity.${expected}`,
    );
  });

  it("refuses a charge period of 101 years", () => {
    const site = siteWith((d) => {
      (d.products[0] as Record<string, unknown>).chargePeriod = { years: 101 };
    });
    expect(onlyProblem([site], null)).toBe(
      "site.yaml: products[0] (swim10).chargePeriod.years: at most 100 (found 101)",
    );
  });

  it("accepts exactly 100 years in each unit", () => {
    for (const validity of [{ days: 36_525 }, { weeks: 5_217 }, { months: 1_200 }, { years: 100 }])
      expect(() => loadDataFiles([swimValidity(validity)], null)).not.toThrow();
  });
});

describe("every other number of the site has a generous range, named in the message", () => {
  const product = (d: SiteDoc) => d.products[0] as Record<string, unknown>;
  const item = (d: SiteDoc) => (product(d).items as Record<string, unknown>[])[0] as Record<string, unknown>;
  it.each([
    [
      "product credits",
      (d: SiteDoc) => {
        product(d).credits = 1_000_001;
      },
      "products[0] (swim10).credits: at most 1000000 (found 1000001)",
    ],
    [
      "an item's credits",
      (d: SiteDoc) => {
        item(d).credits = 2e9;
      },
      "products[0] (swim10).items[0] (pool-offpeak).credits: at most 1000000 (found 2000000000)",
    ],
    [
      "an item's priority",
      (d: SiteDoc) => {
        item(d).priority = -5000;
      },
      "products[0] (swim10).items[0] (pool-offpeak).priority: at least -1000 (found -5000)",
    ],
    [
      "an allowance count",
      (d: SiteDoc) => {
        item(d).allowance = { count: 1e7, period: "day" };
      },
      "products[0] (swim10).items[0] (pool-offpeak).allowance.count: at most 100000 (found 10000000)",
    ],
    [
      "a deduction interval",
      (d: SiteDoc) => {
        product(d).deductionIntervalMinutes = 1e9;
      },
      "products[0] (swim10).deductionIntervalMinutes: at most 525600 (365 days) (found 1000000000)",
    ],
    [
      "the site's early booking minutes",
      (d: SiteDoc) => {
        d.site.bookingEarlyMinutes = 600_000;
      },
      "site.bookingEarlyMinutes: at most 525600 (365 days) (found 600000)",
    ],
    [
      "anti-passback minutes",
      (d: SiteDoc) => {
        (d.areas[0] as Record<string, unknown>).antiPassback = { mode: "timed", minutes: 0 };
      },
      "areas[0] (gym).antiPassback.minutes: at least 1 (found 0)",
    ],
    [
      "an area's capacity",
      (d: SiteDoc) => {
        (d.areas[2] as Record<string, unknown>).capacity = 1e6;
      },
      "areas[2] (studio).capacity: at most 100000 (found 1000000)",
    ],
    [
      "a limit's amount",
      (d: SiteDoc) => {
        (d.limits[0] as Record<string, unknown>).amount = 1e12;
      },
      "limits[0] (studio-3-a-week).amount: at most 100000 (found 1000000000000)",
    ],
    [
      "a holiday in 2201",
      (d: SiteDoc) => {
        d.site.holidays = ["2201-01-01"];
      },
      'site.holidays[0]: expected a date between 1970-01-01 and 2200-12-31 (found "2201-01-01")',
    ],
  ])("refuses %s out of range", (_what, change, expected) => {
    expect(onlyProblem([siteWith(change)], null)).toBe(`site.yaml: ${expected}`);
  });
});

describe("dates and instants of member data lie in 1970–2200", () => {
  it.each([
    [
      { validFrom: "1969-12-31" },
      'validFrom: expected a date between 1970-01-01 and 2200-12-31 (found "1969-12-31")',
    ],
    [
      { validUntil: "2201-01-01" },
      'validUntil: expected a date between 1970-01-01 and 2200-12-31 (found "2201-01-01")',
    ],
    [
      { purchasedAt: "0103-12-31T10:00:00Z" },
      'purchasedAt: expected a date between 1970-01-01 and 2200-12-31 (found "0103-12-31T10:00:00Z")',
    ],
    [
      { ledger: [{ id: "l-1", amount: 1, at: "9999-01-01T00:00:00Z" }] },
      'ledger[0] (l-1).at: expected a date between 1970-01-01 and 2200-12-31 (found "9999-01-01T00:00:00Z")',
    ],
  ])("refuses %j", (over, expected) => {
    expect(onlyProblem([packFile(over)])).toBe(`${MP}.${expected}`);
  });

  it("accepts the first and the last day of the range", () => {
    const mp = pack({
      purchasedAt: "1970-01-01T00:00:00Z",
      validFrom: "1970-01-01",
      validUntil: "2200-12-31",
    });
    expect(() => loadDataFiles([membersFile([member({ multipacks: [mp] })])], storedSite())).not.toThrow();
  });

  it("still names a date that matches the pattern but does not exist, once", () => {
    expect(onlyProblem([packFile({ validFrom: "2201-02-30" })])).toBe(
      `${MP}.validFrom: not a real calendar date (found "2201-02-30")`,
    );
  });
});

describe("a validity computed from the product ends by 2200-12-31", () => {
  const longSite = () => swimValidity({ years: 100 });
  const members = (over: Record<string, unknown>) => ({
    name: "members.yaml",
    value: { members: [member({ multipacks: [pack(over)] })] },
  });

  it("R2: refuses a 100-year pack bought in 2150, naming the day it would end", () => {
    expect(onlyProblem([longSite(), members({ purchasedAt: "2150-06-01T10:00:00+02:00" })], null)).toBe(
      `${MP}: the validity would end on 2250-05-31, after 2200-12-31`,
    );
  });

  it("R2: accepts a 100-year pack whose last day is 2200-12-31 (bought 2101-01-01 in the site's zone)", () => {
    // 31 December 2100 23:30 UTC is already 1 January 2101 in Rome: the validity runs 2101-01-01 … 2200-12-31.
    const files = [longSite(), members({ purchasedAt: "2100-12-31T23:30:00Z" })];
    expect(() => loadDataFiles(files, null)).not.toThrow();
    expect(problemsOf([longSite(), members({ purchasedAt: "2101-01-01T23:30:00Z" })], null)).toEqual([
      `${MP}: the validity would end on 2201-01-01, after 2200-12-31`,
    ]);
  });

  it("R2: counts suspensions, which push the end later", () => {
    const over = { validFrom: "2200-12-01", suspensions: [{ from: "2200-12-10", to: "2200-12-12" }] };
    expect(onlyProblem([packFile({ ...over, validUntil: "2200-12-30" })])).toBe(
      `${MP}: the validity would end on 2201-01-02, after 2200-12-31`,
    );
  });
});

describe("ledger amounts", () => {
  const entry = (e: Record<string, unknown>) =>
    packFile({ ledger: [{ id: "l-1", at: "2027-03-02T10:00:00Z", ...e }] });

  it("refuses an amount beyond a million credits", () => {
    expect(onlyProblem([entry({ amount: 1e9 })])).toBe(
      `${MP}.ledger[0] (l-1).amount: at most 1000000 (found 1000000000)`,
    );
  });
});

describe("R16: each kind of ledger entry has its sign", () => {
  const entry = (e: Record<string, unknown>) =>
    packFile({ ledger: [{ id: "l-1", at: "2027-03-02T10:00:00Z", ...e }] });
  it.each([
    [
      { kind: "usage", amount: -1 },
      "a usage must be positive (a refund is kind: refund with a negative amount, R16)",
    ],
    [{ kind: "deduction", amount: -2 }, "a deduction must be positive"],
    [{ kind: "addition", amount: -5 }, "an addition must be positive"],
    [{ kind: "refund", amount: 1 }, "a refund must be negative"],
    [{ kind: "refund", amount: 0 }, "a refund must be negative"],
    [{ kind: "addition", amount: 0 }, "an addition must be positive"],
  ])("refuses %j", (e, expected) => {
    expect(onlyProblem([entry(e)])).toBe(`${MP}.ledger[0] (l-1): ${expected}`);
  });

  it("accepts usage, deduction and addition positive, a refund negative, a kindless entry either way, usage of 0", () => {
    const ledger = [
      { id: "l-1", amount: 2, kind: "usage" },
      { id: "l-2", amount: 1, kind: "deduction" },
      { id: "l-3", amount: 5, kind: "addition" },
      { id: "l-4", amount: -1, kind: "refund" },
      { id: "l-5", amount: 1 },
      { id: "l-6", amount: -1 },
      { id: "l-7", amount: 0 },
    ].map((e) => ({ ...e, at: "2027-03-02T10:00:00Z" }));
    expect(() => loadDataFiles([packFile({ ledger })], storedSite())).not.toThrow();
  });
});

describe("card numbers", () => {
  it("R1: refuses a card number of more than 64 characters", () => {
    const long = "9".repeat(65);
    expect(onlyProblem([membersFile([member({ cards: [{ number: long }] })])])).toBe(
      `members.yaml: members[0] (m-1).cards[0] (…9999).number: at most 64 characters (found "${long}")`,
    );
  });
});

describe("the longest validity still decides", () => {
  it("R2: a holder of a 100-year pack (36525 days) bought in 2027 is granted; the pack runs to 2127", ({
    store: t,
  }) => {
    const site = swimValidity({ days: 36_525 });
    importInputs(t.store, [site, packFile({ purchasedAt: "2027-03-01T08:00:00+01:00" })]);
    const now = Date.parse("2027-03-02T10:00:00+01:00");
    expect(explain(t.store, scanReq("100", "pool"), now, { offline: null }).decision).toBe("grant");
    expect(memberBalance(t.store, { card: "100" }, now).multipacks[0]?.validUntil).toBe("2127-03-01");
  });
});

import { describe, expect, it } from "vitest";
import { loadDataFiles } from "../../config/dataFile.js";
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

const M = "members.yaml: members[0] (m-1)";
const MP = `${M}.multipacks[0] (mp-1)`;

/** The example site with one change, under the name site.yaml. */
function siteWith(change: (doc: SiteDoc) => void): { name: string; value: SiteDoc } {
  const doc = siteDoc();
  change(doc);
  return { name: "site.yaml", value: doc };
}

/** The example site with one more access type open on Mondays in the given window. */
function windowSite(from: unknown, to: unknown, days: unknown = ["mon"]) {
  return siteWith((d) => {
    d.accessTypes.push({ id: "extra", areas: ["gym"], windows: [{ days, from, to }] });
  });
}

/** The example site with another time zone. */
function zoneSite(timezone: unknown) {
  return siteWith((d) => {
    d.site.timezone = timezone;
  });
}

describe("bad dates and instants in member data", () => {
  it.each([
    [
      "a day that does not exist",
      pack({ validFrom: "2026-02-30" }),
      `${MP}.validFrom: not a real calendar date (found "2026-02-30")`,
    ],
    [
      "29 February of a common year",
      pack({ validUntil: "2027-02-29" }),
      `${MP}.validUntil: not a real calendar date (found "2027-02-29")`,
    ],
    [
      "a date without leading zeros",
      pack({ validFrom: "2026-2-3" }),
      `${MP}.validFrom: expected a date YYYY-MM-DD (found "2026-2-3")`,
    ],
    [
      "month 13 in a suspension",
      pack({ suspensions: [{ from: "2027-12-01", to: "2027-13-05" }] }),
      `${MP}.suspensions[0].to: not a real calendar date (found "2027-13-05")`,
    ],
    [
      "an instant without an offset",
      pack({ purchasedAt: "2027-03-01T18:00:00" }),
      `${MP}.purchasedAt: expected an instant with an offset, e.g. 2026-11-01T10:15:00+01:00 (found "2027-03-01T18:00:00")`,
    ],
    [
      "an instant with a space for T",
      pack({ purchasedAt: "2027-03-01 18:00+01:00" }),
      `${MP}.purchasedAt: expected an instant with an offset, e.g. 2026-11-01T10:15:00+01:00 (found "2027-03-01 18:00+01:00")`,
    ],
    [
      "an instant at 25 o'clock",
      pack({ purchasedAt: "2027-03-01T25:00:00Z" }),
      `${MP}.purchasedAt: not a real instant (found "2027-03-01T25:00:00Z")`,
    ],
    [
      "an instant on 30 February",
      pack({ purchasedAt: "2027-02-30T10:00:00Z" }),
      `${MP}.purchasedAt: not a real instant (found "2027-02-30T10:00:00Z")`,
    ],
    [
      "a ledger instant that is not a date at all",
      pack({ ledger: [{ id: "c:1", amount: 1, at: "yesterday" }] }),
      `${MP}.ledger[0] (c:1).at: expected an instant with an offset, e.g. 2026-11-01T10:15:00+01:00 (found "yesterday")`,
    ],
  ])("refuses %s, with one message naming the field", (_what, mp, expected) => {
    expect(onlyProblem([membersFile([member({ multipacks: [mp] })])])).toBe(expected);
  });

  it("refuses a suspension whose from is after its to", () => {
    const mp = pack({ suspensions: [{ from: "2027-03-10", to: "2027-03-01" }] });
    expect(onlyProblem([membersFile([member({ multipacks: [mp] })])])).toBe(
      `${MP}.suspensions[0]: from is after to`,
    );
  });

  it("R2: refuses an explicit validUntil before validFrom", () => {
    const mp = pack({ validFrom: "2027-03-10", validUntil: "2027-03-01" });
    expect(onlyProblem([membersFile([member({ multipacks: [mp] })])])).toBe(
      `${MP}.validUntil: before validFrom (2027-03-01 < 2027-03-10)`,
    );
  });

  it("R10: refuses a booking whose start is not before its end", () => {
    const b = {
      id: "b-1",
      area: "studio",
      start: "2027-03-22T19:00:00+01:00",
      end: "2027-03-22T18:00:00+01:00",
    };
    expect(onlyProblem([membersFile([member({ bookings: [b] })])])).toBe(
      `${M}.bookings[0] (b-1): start is not before end`,
    );
  });

  it("R1: refuses a card validTo that is not a date and a block without a from", () => {
    const m = member({ cards: [{ number: "100", validTo: "31/12/2027" }], blocks: [{ reason: "debt" }] });
    expect(problemsOf([membersFile([m])])).toEqual([
      `${M}.cards[0].validTo: expected a date YYYY-MM-DD (found "31/12/2027")`,
      `${M}.blocks[0] (debt).from: missing (string expected)`,
    ]);
  });

  it("accepts 29 February of a leap year and offsets written without a colon", () => {
    const mp = pack({ validFrom: "2028-02-29", purchasedAt: "2028-02-29T10:15:00+0100" });
    expect(() => loadDataFiles([membersFile([member({ multipacks: [mp] })])], storedSite())).not.toThrow();
  });
});

describe("R1: card numbers", () => {
  it.each([
    ["a boolean", true, `${M}.cards[0].number: Invalid input (found true)`],
    ["a negative number", -5, `${M}.cards[0].number: Too small: expected number to be >=0 (found -5)`],
    ["blank text", "  ", `${M}.cards[0].number: empty card number (found "  ")`],
  ])("refuses %s as a card number with a message, not a crash", (_what, number, expected) => {
    expect(onlyProblem([membersFile([member({ cards: [{ number }] })])])).toBe(expected);
  });

  it("refuses an unquoted card number too large to be exact instead of storing a rounded one", () => {
    const text = "members:\n  - id: m-1\n    cards: [{ number: 72057594037927935 }]\n";
    expect(onlyProblem([{ name: "members.yaml", text }])).toMatch(
      /^members\.yaml: members\[0\] \(m-1\)\.cards\[0\]\.number: Too big: expected int to be <=9007199254740991/,
    );
  });
});

describe("R16: ledger entries", () => {
  it.each([
    [
      "a refund with a positive amount",
      { kind: "refund", amount: 1 },
      `${MP}.ledger[0] (c:1): a refund must be negative`,
    ],
    [
      "an addition with a negative amount",
      { kind: "addition", amount: -5 },
      `${MP}.ledger[0] (c:1): an addition must be positive`,
    ],
    [
      "a fractional amount",
      { amount: 1.5 },
      `${MP}.ledger[0] (c:1).amount: Invalid input: expected int, received number (found 1.5)`,
    ],
    [
      "an unknown kind",
      { kind: "bonus", amount: 1 },
      `${MP}.ledger[0] (c:1).kind: Invalid option: expected one of "usage"|"refund"|"deduction"|"addition" (found "bonus")`,
    ],
  ])("refuses %s", (_what, entry, expected) => {
    const mp = pack({ ledger: [{ id: "c:1", at: "2027-03-02T10:00:00Z", ...entry }] });
    expect(onlyProblem([membersFile([member({ multipacks: [mp] })])])).toBe(expected);
  });
});

describe("unknown fields (typos)", () => {
  it.each([
    ["in a member", member({ nmae: "Ada" }), `${M}: unknown field "nmae" (did you mean "name"?)`],
    [
      "in a multipack",
      member({ multipacks: [pack({ credtsTotal: 3 })] }),
      `${MP}: unknown field "credtsTotal" (did you mean "creditsTotal"?)`,
    ],
    [
      "in a ledger entry",
      member({
        multipacks: [pack({ ledger: [{ id: "c:1", amount: 1, at: "2027-03-02T10:00:00Z", aera: "pool" }] })],
      }),
      `${MP}.ledger[0] (c:1): unknown field "aera" (did you mean "area"?)`,
    ],
    [
      "in a card, two of them",
      member({ cards: [{ number: "1", satus: "lost", vaildTo: "2027-01-01" }] }),
      `${M}.cards[0]: unknown fields "satus" (did you mean "status"?), "vaildTo" (did you mean "validTo"?)`,
    ],
  ])("refuses an unknown field %s", (_what, m, expected) => {
    expect(onlyProblem([membersFile([m])])).toBe(expected);
  });

  it("refuses an unknown top-level section and says what a file may hold", () => {
    expect(problemsOf([{ name: "members.yaml", value: { member: [member()] } }])).toEqual([
      'members.yaml: (top level): unknown field "member" (did you mean "members"?)',
      "members.yaml: (top level): the file has none of site, areas, accessTypes, products, limits, cardModels, members",
    ]);
  });

  it("refuses a typo in an area of the site", () => {
    const input = siteWith((d) => {
      d.areas.push({ id: "spa", capcity: 10 });
    });
    expect(onlyProblem([input], null)).toBe(
      'site.yaml: areas[3] (spa): unknown field "capcity" (did you mean "capacity"?)',
    );
  });
});

describe("R3: window times", () => {
  it.each([
    ["25:00", "08:00", "25:00", "to"],
    ["8:00", "8:00", "12:00", "from"],
    ["08:60", "08:60", "12:00", "from"],
    ["8h", "06:00", "8h", "to"],
  ])("refuses %s as a window time", (bad, from, to, field) => {
    expect(onlyProblem([windowSite(from, to)], null)).toBe(
      `site.yaml: accessTypes[4] (extra).windows[0].${field}: expected a time "HH:MM" between 00:00 and 24:00 (found "${bad}")`,
    );
  });

  it("refuses a window starting at 24:00 and a window whose from equals its to", () => {
    expect(onlyProblem([windowSite("24:00", "06:00")], null)).toBe(
      'site.yaml: accessTypes[4] (extra).windows[0].from: from cannot be 24:00 (found "24:00")',
    );
    expect(onlyProblem([windowSite("10:00", "10:00")], null)).toBe(
      "site.yaml: accessTypes[4] (extra).windows[0]: from and to are equal: use 00:00–24:00 for a whole day",
    );
  });

  it("refuses an unknown day key", () => {
    expect(onlyProblem([windowSite("08:00", "10:00", ["monday"])], null)).toBe(
      'site.yaml: accessTypes[4] (extra).windows[0].days[0]: Invalid option: expected one of "mon"|"tue"|"wed"|"thu"|"fri"|"sat"|"sun"|"hol" (found "monday")',
    );
  });

  it("accepts a whole day (00:00–24:00) and a window running past midnight (22:00–02:00)", () => {
    expect(() => loadDataFiles([windowSite("00:00", "24:00")], null)).not.toThrow();
    expect(() => loadDataFiles([windowSite("22:00", "02:00")], null)).not.toThrow();
  });

  it("refuses an access type date range whose from is after its to", () => {
    const input = siteWith((d) => {
      d.accessTypes[0] = { ...d.accessTypes[0], dates: { from: "2027-09-15", to: "2027-06-01" } };
    });
    expect(onlyProblem([input], null)).toBe("site.yaml: accessTypes[0] (gym-all).dates: from is after to");
  });
});

describe("site time zone and calendar", () => {
  it.each([["Mars/Olympus"], ["Europe/Rom"], ["+01:00"]])("refuses the time zone %s", (zone) => {
    expect(onlyProblem([zoneSite(zone)], null)).toBe(
      `site.yaml: site.timezone: not an IANA time zone (found "${zone}")`,
    );
  });

  it.each([["UTC"], ["America/Argentina/Buenos_Aires"], ["Asia/Kolkata"]])(
    "accepts the time zone %s",
    (zone) => {
      const [file] = loadDataFiles([zoneSite(zone)], null);
      expect(file?.data.site?.timezone).toBe(zone);
    },
  );

  it("refuses a missing time zone, a bad holiday and an unknown tie-break, all at once", () => {
    const input = siteWith((d) => {
      d.site = { id: "rome-center", holidays: ["2027-04-31"], tieBreak: "lifo" };
    });
    expect(problemsOf([input], null)).toEqual([
      "site.yaml: site.timezone: missing (string expected)",
      'site.yaml: site.holidays[0]: not a real calendar date (found "2027-04-31")',
      'site.yaml: site.tieBreak: Invalid option: expected one of "fifo"|"expiresFirst" (found "lifo")',
    ]);
  });

  it("R2: refuses a validity that matches none of the shapes, listing them", () => {
    const input = siteWith((d) => {
      d.products[0] = { ...d.products[0], validity: { month: 3 } };
    });
    expect(onlyProblem([input], null)).toBe(
      'site.yaml: products[0] (swim10).validity: expected one of {days|weeks|months|years: N}, {until: DATE}, {fromFirstUse: {...}}, {indefinite: true} (found {"month":3})',
    );
  });

  it("refuses an id with a space", () => {
    const input = siteWith((d) => {
      d.areas.push({ id: "steam room" });
    });
    expect(onlyProblem([input], null)).toBe(
      'site.yaml: areas[3] ("steam room").id: expected an id of letters, digits and . _ : @ - (found "steam room")',
    );
  });
});

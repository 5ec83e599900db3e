import { describe, expect, it } from "vitest";
import { mp, product, rome, scan } from "./engineFixture.js";

// 2027-03-22 is a Monday; 2027-03-26 a Friday. 2026-10-25 and 2026-03-29 are the DST Sundays.
const site = rome({
  site: { holidays: ["2027-03-29", "2027-04-02", "2027-04-09"] },
  areas: [{ id: "pool", name: "Swimming pool" }],
  accessTypes: [
    {
      id: "gym-morning",
      areas: ["gym"],
      windows: [{ days: ["mon", "tue", "wed", "thu", "fri"], from: "08:00", to: "12:00" }],
    },
    { id: "gym-late", areas: ["gym-late"], windows: [{ days: ["sat"], from: "20:00", to: "24:00" }] },
    { id: "night", areas: ["club"], windows: [{ days: ["fri"], from: "22:00", to: "02:00" }] },
    { id: "sunnight", areas: ["sauna"], windows: [{ days: ["sun"], from: "22:00", to: "02:00" }] },
    { id: "holnight", areas: ["bar"], windows: [{ days: ["hol"], from: "22:00", to: "02:00" }] },
    {
      id: "pool-std",
      areas: ["pool"],
      windows: [
        { days: ["mon", "tue", "wed", "thu", "fri"], from: "07:00", to: "17:00" },
        { days: ["sat", "sun", "hol"], from: "09:00", to: "19:00" },
      ],
    },
    {
      id: "summer",
      areas: ["lido"],
      windows: [
        { days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "hol"], from: "00:00", to: "24:00" },
      ],
      dates: { from: "2026-06-01", to: "2026-09-15" },
    },
    { id: "dst", areas: ["dst"], windows: [{ days: ["sat"], from: "22:00", to: "03:00" }] },
    { id: "dst2", areas: ["dst2"], windows: [{ days: ["sun"], from: "02:30", to: "04:00" }] },
    { id: "fed", areas: ["fed"], requiresCardModel: true },
    { id: "midnight", areas: ["midnight"], windows: [{ days: ["mon"], from: "22:00", to: "00:00" }] },
  ],
  products: [
    product(
      "all",
      100,
      [
        "gym-morning",
        "gym-late",
        "night",
        "sunnight",
        "holnight",
        "pool-std",
        "summer",
        "dst",
        "dst2",
        "midnight",
      ],
      {},
    ),
    product("fed-pack", 10, ["fed"], { cardModels: ["fin-2026", "fin-2027"] }),
    product("fed-none", 10, ["fed"]),
  ],
});
const pack = mp("mp-1", "all", "2020-01-01T00:00");
const at = (area: string, when: string | number, f = {}) =>
  scan(site, { multipacks: [pack], ...f }, when, area);

describe("R3 window bounds: from inclusive, to exclusive", () => {
  it.each([
    ["2027-03-22T07:59:59.999", "deny"],
    ["2027-03-22T08:00", "grant"],
    ["2027-03-22T11:59:59.999", "grant"],
    ["2027-03-22T12:00", "deny"],
    ["2027-03-27T09:00", "deny"],
  ] as const)("R3: a Mon–Fri 08:00–12:00 window at %s gives %s", (when, decision) => {
    const d = at("gym", when);
    expect(d.decision).toBe(decision);
    if (decision === "deny") expect(d.reason).toBe("outside_time_window");
    else expect(d.accessTypeId).toBe("gym-morning");
  });

  it('R3: a window to "24:00" includes 23:59 and ends at midnight', () => {
    expect(at("gym-late", "2027-03-27T23:59:59.999").decision).toBe("grant");
    expect(at("gym-late", "2027-03-28T00:00").reason).toBe("outside_time_window");
  });
});

describe("R3 windows ending at midnight", () => {
  it.each([
    ["2027-03-22T21:59", "deny"],
    ["2027-03-22T22:00", "grant"],
    ["2027-03-22T23:59:59.999", "grant"],
    ["2027-03-23T00:00", "deny"],
  ] as const)('R3: a Monday window 22:00–"00:00" at %s gives %s (it ends at midnight)', (when, decision) => {
    expect(at("midnight", when).decision).toBe(decision);
  });
});

describe("R3 windows past midnight belong to the day they start on", () => {
  it.each([
    ["Fri 22:00", "2027-03-26T22:00", "grant"],
    ["Fri 23:59", "2027-03-26T23:59", "grant"],
    ["Sat 01:00", "2027-03-27T01:00", "grant"],
    ["Sat 01:59", "2027-03-27T01:59:59.999", "grant"],
    ["Sat 02:00", "2027-03-27T02:00", "deny"],
    ["Sat 22:30 (sat not listed)", "2027-03-27T22:30", "deny"],
    ["Fri 01:00 (after Thursday)", "2027-03-26T01:00", "deny"],
    ["Fri 21:59", "2027-03-26T21:59", "deny"],
  ] as const)("R3: Fri 22:00–02:00 at %s gives %s", (_label, when, decision) => {
    expect(at("club", when).decision).toBe(decision);
  });

  it("R3: on a holiday only `hol` windows apply, also after midnight", () => {
    // Fri 2027-04-02 is a holiday: the Friday night window does not open, not even its Saturday part.
    expect(at("club", "2027-04-02T23:00").reason).toBe("outside_time_window");
    expect(at("club", "2027-04-03T01:00").reason).toBe("outside_time_window");
    // The `hol` night window opens on the holiday and runs into the (ordinary) next day.
    expect(at("bar", "2027-04-02T23:00").decision).toBe("grant");
    expect(at("bar", "2027-04-03T01:30").decision).toBe("grant");
    expect(at("bar", "2027-04-03T23:00").reason).toBe("outside_time_window");
  });

  it("R3: the after-midnight part of an ordinary day's window still applies on a holiday morning", () => {
    // Sun 2027-03-28 22:00 → Mon 2027-03-29 (a holiday) 02:00: the night belongs to Sunday.
    expect(at("sauna", "2027-03-28T23:00").decision).toBe("grant");
    expect(at("sauna", "2027-03-29T01:00").decision).toBe("grant");
    // and the holiday itself does not start a Sunday-like night (hol not listed).
    expect(at("sauna", "2027-03-29T23:00").reason).toBe("outside_time_window");
  });

  it("R3: a holiday (Easter Monday) uses the `hol` window and not the weekday one", () => {
    expect(at("pool", "2027-03-29T08:00").reason).toBe("outside_time_window");
    expect(at("pool", "2027-03-29T09:00").decision).toBe("grant");
    expect(at("pool", "2027-03-29T18:00").decision).toBe("grant");
    // The next Monday is ordinary again.
    expect(at("pool", "2027-04-05T08:00").decision).toBe("grant");
    expect(at("pool", "2027-04-05T18:00").reason).toBe("outside_time_window");
  });
});

describe("R3 the access type's date range", () => {
  it.each([
    ["2026-05-31T23:59", "deny"],
    ["2026-06-01T00:00", "grant"],
    ["2026-09-15T23:59", "grant"],
    ["2026-09-16T00:00", "deny"],
  ] as const)("R3: dates 1 Jun – 15 Sep at %s gives %s", (when, decision) => {
    const d = at("lido", when);
    expect(d.decision).toBe(decision);
    if (decision === "deny") expect(d.reason).toBe("outside_time_window");
  });
});

describe("R3 windows across daylight-saving changes (Europe/Rome)", () => {
  // 25 Oct 2026: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice (00:30Z and 01:30Z).
  it.each([
    ["02:30 CEST (first)", "2026-10-25T00:30:00Z", "grant"],
    ["02:30 CET (second)", "2026-10-25T01:30:00Z", "grant"],
    ["02:59 CET", "2026-10-25T01:59:00Z", "grant"],
    ["03:00 CET", "2026-10-25T02:00:00Z", "deny"],
  ] as const)("R3: Sat 22:00–03:00 over the autumn change at %s gives %s", (_label, iso, decision) => {
    expect(at("dst", Date.parse(iso)).decision).toBe(decision);
  });

  it.each([
    ["02:29 CEST", "2026-10-25T00:29:00Z", "deny"],
    ["02:30 CEST", "2026-10-25T00:30:00Z", "grant"],
    ["02:29 CET (after the change)", "2026-10-25T01:29:00Z", "deny"],
    ["02:30 CET", "2026-10-25T01:30:00Z", "grant"],
    ["03:59 CET", "2026-10-25T02:59:00Z", "grant"],
    ["04:00 CET", "2026-10-25T03:00:00Z", "deny"],
  ] as const)(
    "R3: Sun 02:30–04:00 on the autumn change day at %s gives %s (wall clock)",
    (_l, iso, decision) => {
      expect(at("dst2", Date.parse(iso)).decision).toBe(decision);
    },
  );

  it("R3: on the spring change day (29 Mar 2026) the wall clock jumps from 02:00 to 03:00", () => {
    expect(at("dst2", Date.parse("2026-03-29T00:59:00Z")).reason).toBe("outside_time_window"); // 01:59 CET
    expect(at("dst2", Date.parse("2026-03-29T01:00:00Z")).decision).toBe("grant"); // 03:00 CEST
    expect(at("dst", Date.parse("2026-03-29T00:59:00Z")).decision).toBe("grant"); // Sat night, 01:59
    expect(at("dst", Date.parse("2026-03-29T01:00:00Z")).reason).toBe("outside_time_window"); // 03:00
  });
});

describe("R3 card models", () => {
  const when = "2026-06-15T10:00";
  const scanFed = (cardModels: unknown[], productId = "fed-pack") =>
    scan(
      site,
      { multipacks: [mp("mp-f", productId, "2026-01-01T00:00")], member: { cardModels } as never },
      when,
      "fed",
    );

  it.each([
    ["a valid model", [{ model: "fin-2026", validFrom: "2026-01-01", validTo: "2026-12-31" }], "grant"],
    ["the other listed model", [{ model: "fin-2027" }], "grant"],
    [
      "a model valid on the day only",
      [{ model: "fin-2026", validFrom: "2026-06-15", validTo: "2026-06-15" }],
      "grant",
    ],
    ["an expired model", [{ model: "fin-2026", validTo: "2026-06-14" }], "deny"],
    ["a model not valid yet", [{ model: "fin-2026", validFrom: "2026-06-16" }], "deny"],
    ["a model the product does not list", [{ model: "uisp-2026" }], "deny"],
    ["no model", [], "deny"],
  ] as const)("R3: requiresCardModel with %s gives %s", (_label, models, decision) => {
    const d = scanFed([...models]);
    expect(d.decision).toBe(decision);
    if (decision === "deny")
      expect(d).toMatchObject({
        reason: "card_model_missing",
        message: "Valid fin-2026 or fin-2027 card required",
      });
  });

  it("R3: a product that lists no card model cannot be used for an access type that requires one", () => {
    expect(scanFed([{ model: "fin-2026" }], "fed-none").reason).toBe("card_model_missing");
  });

  it("R3: an access type that does not require a card model ignores the member's models", () => {
    expect(at("gym", "2027-03-22T09:00").decision).toBe("grant");
  });
});

describe("R3 areas", () => {
  it("R3: a multipack without an item for the reader's area is wrong_area", () => {
    const d = scan(
      site,
      { multipacks: [mp("mp-f", "fed-pack", "2026-01-01T00:00")] },
      "2027-03-22T09:00",
      "gym",
    );
    expect(d).toMatchObject({ decision: "deny", reason: "wrong_area", message: "Not valid for this area" });
  });

  it("R3: an area the configuration does not know is wrong_area", () => {
    expect(at("nowhere", "2027-03-22T09:00").reason).toBe("wrong_area");
  });
});

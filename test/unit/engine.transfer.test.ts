import { describe, expect, it } from "vitest";
import { balances } from "../../gateway/engine/balance.js";
import { transfersAt } from "../../gateway/engine/transfer.js";
import type { MultipackFact } from "../../gateway/engine/types.js";
import { at, facts } from "../helpers/build.js";
import { mp, rome, scan, traceReasons } from "./engineFixture.js";

/**
 * Seed 003, "Transfer to the next pack": yoga 10-packs valid 2 months whose unused entries move to
 * the member's next pack of the same product when one ends.
 */
const site = rome({
  accessTypes: [{ id: "yoga", areas: ["studio"] }],
  products: [
    {
      id: "yoga10",
      credits: 10,
      validity: { months: 2 },
      transferUnused: true,
      items: [{ accessType: "yoga", credits: 1 }],
    },
    { id: "yoga10-lost", credits: 10, validity: { months: 2 }, items: [{ accessType: "yoga", credits: 1 }] },
    {
      id: "yoga-flat",
      credits: 0,
      validity: { months: 2 },
      transferUnused: true,
      items: [{ accessType: "yoga", credits: 0 }],
    },
    {
      id: "yoga10-first",
      credits: 10,
      validity: { fromFirstUse: { weeks: 4 } },
      transferUnused: true,
      items: [{ accessType: "yoga", credits: 1 }],
    },
  ],
});

// mp-1 is valid 2027-01-10 … 2027-03-09; its validity ends at 2027-03-10 00:00 Rome.
const m1 = (extra: Partial<MultipackFact> = {}) =>
  mp("mp-1", "yoga10", "2027-01-10T10:00", { used: 7, ...extra });
const m2 = (extra: Partial<MultipackFact> = {}) =>
  mp("mp-2", "yoga10", "2027-03-01T10:00", { used: 4, ...extra });
const AFTER = "2027-03-10T10:00";
const yoga = (multipacks: MultipackFact[], when = AFTER) => scan(site, { multipacks }, when, "studio");
const balanceOf = (multipacks: MultipackFact[], when = AFTER) =>
  Object.fromEntries(
    balances(facts(site, { multipacks }), at(when)).map((b) => [
      b.multipackId,
      `${b.creditsRemaining}/${b.creditsTotal}`,
    ]),
  );

describe("R18 transfer of unused entries", () => {
  it("R18: the worked example: 3 left on mp-1 when it ends move to mp-2, bought before that end (8/13 left)", () => {
    const d = yoga([m1(), m2()]);
    expect(d).toMatchObject({
      decision: "grant",
      multipackId: "mp-2",
      creditsDeducted: 1,
      creditsRemaining: 8,
      creditsTotal: 13,
      message: "Welcome Ada — 8/13 left",
    });
    expect(traceReasons(d)).toEqual(["mp-1/-:skipped:expired", "mp-2/yoga:chosen:ok"]);
    expect(d.trace[0]?.detail).toBe(
      "valid until 2027-03-09 (R2); ended 2027-03-09 with 3 unused, moved to mp-2 (R18)",
    );
    expect(d.trace[1]?.detail).toBe(
      "costs 1 (R4), priority 1; 3 credits carried over from mp-1, which ended 2027-03-09 (R18)",
    );
  });

  it("R18: the credits move at the end of mp-1's last day, not before", () => {
    const before = yoga([m1(), m2()], "2027-03-09T23:59");
    expect(before).toMatchObject({ multipackId: "mp-1", creditsRemaining: 2, creditsTotal: 10 });
    expect(before.trace.every((r) => !r.detail.includes("R18"))).toBe(true);
    expect(balanceOf([m1(), m2()], "2027-03-09T23:59")).toEqual({ "mp-1": "3/10", "mp-2": "6/10" });
    expect(balanceOf([m1(), m2()], "2027-03-10T00:00")).toEqual({ "mp-1": "0/10", "mp-2": "9/13" });
  });

  it.each([
    ["no later purchase", [m1()], { "mp-1": "3/10" }],
    [
      "the later pack bought after mp-1 ended",
      [m1(), m2({ purchasedAt: at("2027-03-10T09:00") })],
      { "mp-1": "3/10", "mp-2": "6/10" },
    ],
    [
      "the other pack bought before mp-1 (leftovers never go back to an older pack)",
      [m1(), mp("mp-0", "yoga10", "2027-01-05T10:00", { validUntil: "2027-06-30", used: 4 })],
      { "mp-0": "6/10", "mp-1": "3/10" },
    ],
    [
      "a product without transferUnused",
      [
        mp("mp-1", "yoga10-lost", "2027-01-10T10:00", { used: 7 }),
        mp("mp-2", "yoga10-lost", "2027-03-01T10:00", { used: 4 }),
      ],
      { "mp-1": "3/10", "mp-2": "6/10" },
    ],
    [
      "another product",
      [m1(), mp("mp-2", "yoga10-lost", "2027-03-01T10:00", { used: 4 })],
      { "mp-1": "3/10", "mp-2": "6/10" },
    ],
    [
      "an unlimited product",
      [mp("mp-1", "yoga-flat", "2027-01-10T10:00"), mp("mp-2", "yoga-flat", "2027-03-01T10:00")],
      { "mp-1": "null/null", "mp-2": "null/null" },
    ],
    ["nothing left on mp-1", [m1({ used: 10 }), m2()], { "mp-1": "0/10", "mp-2": "6/10" }],
    [
      "mp-1 overdrawn (used elsewhere offline)",
      [m1({ used: 11 }), m2()],
      { "mp-1": "-1/10", "mp-2": "6/10" },
    ],
  ])("R18: nothing moves with %s", (_label, multipacks, expected) => {
    expect(balanceOf(multipacks)).toEqual(expected);
    expect(transfersAt(site, multipacks, at(AFTER)).size).toBe(0);
  });

  it("R18: a chain mp-1 → mp-2 → mp-3 carries everything forward", () => {
    const m3 = mp("mp-3", "yoga10", "2027-04-20T10:00", { used: 1 });
    // mp-2 (2027-03-01 … 2027-04-30) gets 3 from mp-1, ends with 13 − 4 = 9, which move to mp-3.
    expect(balanceOf([m1(), m2(), m3], "2027-05-02T10:00")).toEqual({
      "mp-1": "0/10",
      "mp-2": "0/13",
      "mp-3": "18/19",
    });
    const d = yoga([m3, m2(), m1()], "2027-05-02T10:00");
    expect(d).toMatchObject({
      multipackId: "mp-3",
      creditsRemaining: 17,
      creditsTotal: 19,
      message: "Welcome Ada — 17/19 left",
    });
    expect(d.trace.find((r) => r.multipackId === "mp-2")?.detail).toContain(
      "3 credits carried over from mp-1, which ended 2027-03-09; ended 2027-04-30 with 9 unused, moved to mp-3 (R18)",
    );
  });

  it("R18: the earliest later pack bought before the end receives, not a later one", () => {
    const m3 = mp("mp-3", "yoga10", "2027-03-05T10:00");
    expect(balanceOf([m3, m1(), m2()])).toEqual({ "mp-1": "0/10", "mp-2": "9/13", "mp-3": "10/10" });
  });

  it("R18: a later pack that has itself ended by then is passed over for the next one", () => {
    const short = m2({ validUntil: "2027-03-05" });
    const m3 = mp("mp-3", "yoga10", "2027-03-06T10:00");
    expect(balanceOf([m1(), short, m3])).toEqual({ "mp-1": "0/10", "mp-2": "6/10", "mp-3": "13/13" });
  });

  it("R18: a suspension of mp-1 moves the instant of the transfer with its validity", () => {
    const suspended = m1({ suspensions: [{ from: "2027-02-01", to: "2027-02-05" }] }); // until 2027-03-14
    expect(yoga([suspended, m2()], "2027-03-14T18:00")).toMatchObject({
      multipackId: "mp-1",
      creditsTotal: 10,
    });
    expect(balanceOf([suspended, m2()], "2027-03-14T18:00")).toEqual({ "mp-1": "3/10", "mp-2": "6/10" });
    expect(balanceOf([suspended, m2()], "2027-03-15T00:00")).toEqual({ "mp-1": "0/10", "mp-2": "9/13" });
  });

  it("R18: mp-1's remaining counts every entry of its ledger, so an entry of another gateway received late lowers what moved", () => {
    // The same facts decide the same everywhere: no transfer is stored, each gateway derives it.
    expect(balanceOf([m1(), m2()])).toEqual({ "mp-1": "0/10", "mp-2": "9/13" });
    expect(balanceOf([m1({ used: 8 }), m2()])).toEqual({ "mp-1": "0/10", "mp-2": "8/12" });
  });

  it("R18: fromFirstUse: a pack never used has not started, so it never ends and never gives", () => {
    const unused = mp("mp-1", "yoga10-first", "2027-01-10T10:00");
    const next = mp("mp-2", "yoga10-first", "2027-03-01T10:00", { firstUseAt: at("2027-03-02T10:00") });
    expect(balanceOf([unused, next], "2027-06-01T10:00")).toEqual({ "mp-1": "10/10", "mp-2": "10/10" });
  });

  it("R18: fromFirstUse: a used pack ends 4 weeks after its first use; a pack not used yet receives", () => {
    const used = mp("mp-1", "yoga10-first", "2027-01-10T10:00", {
      firstUseAt: at("2027-02-01T10:00"),
      used: 6,
    });
    const waiting = mp("mp-2", "yoga10-first", "2027-02-20T10:00");
    // mp-1: 2027-02-01 … 2027-02-28; mp-2 not used yet (no end): it receives 4.
    expect(balanceOf([used, waiting], "2027-03-01T10:00")).toEqual({ "mp-1": "0/10", "mp-2": "14/14" });
  });

  it("R18: a stored pack gives and receives like any other (validity runs whatever the status)", () => {
    expect(balanceOf([m1({ status: "stored" }), m2()])).toEqual({ "mp-1": "0/10", "mp-2": "9/13" });
    expect(balanceOf([m1(), m2({ status: "stored" })])).toEqual({ "mp-1": "0/10", "mp-2": "9/13" });
    // The stored pack is not usable (R2), so the credits wait in it until it is activated.
    expect(traceReasons(yoga([m1(), m2({ status: "stored" })]))).toEqual([
      "mp-1/-:skipped:expired",
      "mp-2/-:skipped:inactive",
    ]);
  });

  it("R18: balance names the transfer on both packs", () => {
    const [b1, b2] = balances(facts(site, { multipacks: [m1(), m2()] }), at(AFTER));
    const moved = {
      from: "mp-1",
      to: "mp-2",
      credits: 3,
      at: "2027-03-09T23:00:00.000Z",
      endedOn: "2027-03-09",
    };
    expect(b1).toMatchObject({
      status: "expired",
      creditsRemaining: 0,
      creditsTotal: 10,
      transfersIn: [],
      transferOut: moved,
    });
    expect(b2).toMatchObject({
      status: "active",
      creditsRemaining: 9,
      creditsTotal: 13,
      transfersIn: [moved],
      transferOut: null,
    });
  });

  it("R18: a deny after the transfer reports the receiver's credits with what it got", () => {
    const d = yoga([m1(), m2({ used: 13 })]);
    expect(d).toMatchObject({ decision: "deny", reason: "no_credits", message: "No credits left — 0/13" });
  });
});

import { describe, expect, it } from "vitest";
import { decide } from "../../gateway/engine/decide.js";
import { at, facts, req } from "../helpers/build.js";
import { mp, product, rome, scan } from "./engineFixture.js";

const site = rome({
  areas: [{ id: "pool", antiPassback: { mode: "hard" }, capacity: 1 }],
  accessTypes: [
    { id: "gym-all", areas: ["gym"] },
    { id: "pool-day", areas: ["pool"], windows: [{ days: ["mon"], from: "08:00", to: "12:00" }] },
  ],
  products: [product("pack", 10, ["gym-all", "pool-day"])],
});
const pack = mp("mp-1", "pack", "2027-03-01T10:00");
const MONDAY = "2027-03-22T10:00";

describe("R1 card numbers are compared canonically", () => {
  it.each([
    ["0000100", "100"],
    ["100", "100"],
    ["  100  ", "100"],
    ["\t00100\n", "100"],
  ])("R1: a scanned %j matches the stored card 100", (scanned, canonical) => {
    const d = scan(site, { multipacks: [pack] }, MONDAY, "gym", "in", scanned);
    expect(d).toMatchObject({ decision: "grant", reason: "ok", card: canonical, memberId: "m-1" });
  });

  it.each([" ab12cd ", "AB12CD", "ab12Cd", "\tAb12cD"])(
    "R1: a scanned hex number %j is trimmed and upper-cased to AB12CD",
    (scanned) => {
      const f = { multipacks: [pack], card: { number: "AB12CD" } };
      const d = scan(site, f, MONDAY, "gym", "in", scanned);
      expect(d).toMatchObject({ decision: "grant", card: "AB12CD" });
    },
  );

  it("R1: leading zeros are kept when the number is not all digits", () => {
    const f = { multipacks: [pack], card: { number: "00AB" } };
    expect(scan(site, f, MONDAY, "gym", "in", "00ab")).toMatchObject({ decision: "grant", card: "00AB" });
    expect(scan(site, f, MONDAY, "gym", "in", "ab")).toMatchObject({
      decision: "deny",
      reason: "unknown_card",
    });
  });

  it("R1: an all-zero number is the card 0", () => {
    const f = { multipacks: [pack], card: { number: "0" } };
    expect(scan(site, f, MONDAY, "gym", "in", "0000")).toMatchObject({ decision: "grant", card: "0" });
  });
});

describe("R1 unknown cards", () => {
  it("R1: a card the store does not know is denied unknown_card with no member", () => {
    const f = { ...facts(site, { multipacks: [pack] }), card: null, member: null };
    const d = decide(req("gym"), f, at(MONDAY));
    expect(d).toMatchObject({
      decision: "deny",
      reason: "unknown_card",
      memberId: null,
      multipackId: null,
      message: "Unknown card",
    });
  });

  it("R1: facts loaded for another card number do not let a different card in", () => {
    const d = scan(site, { multipacks: [pack] }, MONDAY, "gym", "in", "101");
    expect(d).toMatchObject({ decision: "deny", reason: "unknown_card", card: "101", memberId: null });
  });

  it("R1: a card whose member is missing from the facts is unknown", () => {
    const f = { ...facts(site, { multipacks: [pack] }), member: null };
    expect(decide(req("gym"), f, at(MONDAY))).toMatchObject({ decision: "deny", reason: "unknown_card" });
  });

  it("R11: an unknown card at an exit reader is denied unknown_card", () => {
    const f = { ...facts(site), card: null, member: null };
    expect(decide(req("gym", "out"), f, at(MONDAY))).toMatchObject({
      decision: "deny",
      reason: "unknown_card",
      direction: "out",
    });
  });
});

describe("R1 card status and the card's own dates", () => {
  it.each(["blocked", "lost"] as const)("R1: a %s card is denied card_blocked at an entry", (status) => {
    const d = scan(site, { multipacks: [pack], card: { status } }, MONDAY);
    expect(d).toMatchObject({ decision: "deny", reason: "card_blocked", memberId: "m-1" });
    expect(d.message).toBe("Card blocked — please see reception");
  });

  it.each(["blocked", "lost"] as const)("R11: a %s card is not granted an exit", (status) => {
    const d = scan(site, { multipacks: [pack], card: { status } }, MONDAY, "gym", "out");
    expect(d).toMatchObject({ decision: "deny", reason: "card_blocked" });
  });

  const card = { validFrom: "2027-03-10", validTo: "2027-03-20" };
  it.each([
    ["2027-03-09T23:59:59.999", "deny", "Card not valid yet"],
    ["2027-03-10T00:00", "grant", null],
    ["2027-03-20T23:59:59.999", "grant", null],
    ["2027-03-21T00:00", "deny", "Card expired on 20 Mar 2027"],
  ] as const)("R1: a card valid 10–20 Mar scanned at %s is a %s", (when, decision, message) => {
    const d = scan(site, { multipacks: [pack], card }, when);
    expect(d.decision).toBe(decision);
    if (decision === "deny") expect(d).toMatchObject({ reason: "card_expired", message });
  });

  it("R1: a card with only validTo has no start, with only validFrom no end", () => {
    expect(scan(site, { multipacks: [pack], card: { validTo: "2027-03-22" } }, MONDAY).decision).toBe(
      "grant",
    );
    const open = { validFrom: "2027-03-01" };
    expect(scan(site, { multipacks: [pack], card: open }, "2030-01-01T10:00").decision).toBe("grant");
  });
});

describe("R1 member blocks", () => {
  const block = { reason: "debt", from: "2027-03-10", to: "2027-03-20", message: "Please see reception" };

  it.each([
    ["2027-03-09T23:59:59.999", "grant"],
    ["2027-03-10T00:00", "deny"],
    ["2027-03-15T12:00", "deny"],
    ["2027-03-20T23:59:59.999", "deny"],
    ["2027-03-21T00:00", "grant"],
  ] as const)("R1: a block from 10 to 20 Mar (inclusive) at %s gives %s", (when, decision) => {
    const d = scan(site, { multipacks: [pack], member: { blocks: [block] } }, when);
    expect(d.decision).toBe(decision);
    if (decision === "deny")
      expect(d).toMatchObject({ reason: "member_blocked", message: "Please see reception", memberId: "m-1" });
  });

  it("R1: a block without `to` is open-ended", () => {
    const open = { reason: "waiver", from: "2027-03-10" };
    expect(scan(site, { multipacks: [pack], member: { blocks: [open] } }, "2027-03-09T12:00").decision).toBe(
      "grant",
    );
    const d = scan(site, { multipacks: [pack], member: { blocks: [open] } }, "2031-06-01T12:00");
    expect(d).toMatchObject({ decision: "deny", reason: "member_blocked" });
  });

  it("R1: a block without a message shows a generic text", () => {
    const d = scan(
      site,
      { multipacks: [pack], member: { blocks: [{ reason: "x", from: "2027-01-01" }] } },
      MONDAY,
    );
    expect(d.message).toBe("Access blocked — please see reception");
  });

  it("R1: a member block is checked before the multipacks (a blocked member with none is still member_blocked)", () => {
    const d = scan(site, { member: { blocks: [block] } }, "2027-03-15T12:00");
    expect(d.reason).toBe("member_blocked");
  });

  it("R1/R11: a card outside its own validity dates still lets the member out, but not in", () => {
    const card = { validTo: "2027-03-01" };
    expect(scan(site, { multipacks: [pack], card }, "2027-03-15T12:00", "gym", "out")).toMatchObject({
      decision: "grant",
      reason: "exit",
    });
    expect(scan(site, { multipacks: [pack], card }, "2027-03-15T12:00", "gym", "in")).toMatchObject({
      decision: "deny",
      reason: "card_expired",
      message: "Card expired on 1 Mar 2027",
    });
  });

  it("R1/R11: a block never stops an exit", () => {
    const d = scan(
      site,
      { multipacks: [pack], member: { blocks: [block] } },
      "2027-03-15T12:00",
      "gym",
      "out",
    );
    expect(d).toMatchObject({ decision: "grant", reason: "exit", creditsDeducted: 0 });
  });
});

describe("R11 exits", () => {
  it("R11: an exit is granted to a known card of a member without any multipack", () => {
    const d = scan(site, {}, MONDAY, "gym", "out");
    expect(d).toMatchObject({
      decision: "grant",
      reason: "exit",
      memberId: "m-1",
      multipackId: null,
      productId: null,
      accessTypeId: null,
      creditsDeducted: 0,
      creditsRemaining: null,
      creditsTotal: null,
      message: "Goodbye Ada",
    });
    expect(d.trace).toEqual([
      expect.objectContaining({ multipackId: null, accessTypeId: null, outcome: "chosen", reason: "exit" }),
    ]);
  });

  it("R11: an exit ignores time windows, anti-passback and capacity", () => {
    const inside = {
      lastDirection: "in" as const,
      lastAt: at("2027-03-22T01:00"),
      lastInAt: at("2027-03-22T01:00"),
    };
    const d = scan(
      site,
      { multipacks: [pack], presence: inside, presentCount: 5 },
      "2027-03-22T03:00",
      "pool",
      "out",
    );
    expect(d).toMatchObject({ decision: "grant", reason: "exit" });
  });

  it("R11: an exit with expired or used-up multipacks is still granted", () => {
    const old = mp("mp-old", "pack", "2020-01-01T10:00", { validUntil: "2020-02-01", used: 10 });
    expect(scan(site, { multipacks: [old] }, MONDAY, "gym", "out").reason).toBe("exit");
  });
});

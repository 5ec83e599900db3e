import { describe, expect, it } from "vitest";
import type { MultipackFact } from "../../gateway/engine/types.js";
import { mp, rome, scan, visit } from "./engineFixture.js";

function siteWith(tieBreak: "fifo" | "expiresFirst" = "fifo") {
  return rome({
    site: { tieBreak },
    accessTypes: [
      { id: "pool-a", areas: ["pool"] },
      { id: "pool-b", areas: ["pool"] },
    ],
    products: [
      { id: "paid-p1", credits: 10, items: [{ accessType: "pool-a", credits: 1, priority: 1 }] },
      { id: "paid-p2", credits: 10, items: [{ accessType: "pool-a", credits: 1, priority: 2 }] },
      { id: "free-p1", credits: 10, items: [{ accessType: "pool-a", credits: 0, priority: 1 }] },
      { id: "paid2-p1", credits: 10, items: [{ accessType: "pool-a", credits: 2, priority: 1 }] },
      {
        id: "two-costs",
        credits: 10,
        items: [
          { accessType: "pool-a", credits: 3, priority: 1 },
          { accessType: "pool-b", credits: 2, priority: 1 },
        ],
      },
      { id: "free-p2", credits: 10, items: [{ accessType: "pool-a", credits: 0, priority: 2 }] },
      { id: "unl-p1", credits: 0, items: [{ accessType: "pool-a", credits: 3, priority: 1 }] },
      {
        id: "two-items",
        credits: 10,
        items: [
          { accessType: "pool-b", credits: 2, priority: 2 },
          { accessType: "pool-a", credits: 1, priority: 1 },
        ],
      },
      {
        id: "paid-p5-reentry",
        credits: 10,
        deductionIntervalMinutes: 60,
        items: [{ accessType: "pool-a", credits: 1, priority: 5 }],
      },
    ],
  });
}
const NOW = "2027-03-22T10:00";
const choose = (multipacks: MultipackFact[], tieBreak: "fifo" | "expiresFirst" = "fifo", visits = []) =>
  scan(siteWith(tieBreak), { multipacks, visits }, NOW, "pool");

describe("R9 choosing among candidates", () => {
  it("R9: a re-entry comes first, before a lower priority and before cost 0", () => {
    const re = mp("mp-z", "paid-p5-reentry", "2027-03-10T10:00");
    const free = mp("mp-a", "unl-p1", "2027-01-01T10:00");
    const anchor = visit("2027-03-22T09:30", {
      multipackId: "mp-z",
      area: "pool",
      productId: "paid-p5-reentry",
    });
    const d = scan(siteWith(), { multipacks: [free, re], visits: [anchor] }, NOW, "pool");
    expect(d).toMatchObject({ reason: "reentry", multipackId: "mp-z", creditsDeducted: 0 });
  });

  it("R9: the lowest priority wins over cost 0", () => {
    const d = choose([
      mp("mp-free", "free-p2", "2027-01-01T10:00"),
      mp("mp-paid", "paid-p1", "2027-03-01T10:00"),
    ]);
    expect(d).toMatchObject({ multipackId: "mp-paid", creditsDeducted: 1 });
  });

  it("R9: within one multipack the item with the lowest priority is chosen", () => {
    const d = choose([mp("mp-1", "two-items", "2027-01-01T10:00")]);
    expect(d).toMatchObject({ accessTypeId: "pool-a", creditsDeducted: 1 });
  });

  it("R9: at equal priority cost 0 comes before paid, even when bought later", () => {
    const d = choose([
      mp("mp-paid", "paid-p1", "2027-01-01T10:00"),
      mp("mp-free", "free-p1", "2027-03-01T10:00"),
    ]);
    expect(d).toMatchObject({ multipackId: "mp-free", creditsDeducted: 0, creditsRemaining: 10 });
  });

  it("R9: at equal priority an unlimited product (cost 0) comes before paid", () => {
    const d = choose([
      mp("mp-paid", "paid-p1", "2027-01-01T10:00"),
      mp("mp-unl", "unl-p1", "2027-03-01T10:00"),
    ]);
    expect(d).toMatchObject({ multipackId: "mp-unl", creditsDeducted: 0, creditsRemaining: null });
  });

  it.each(["fifo", "expiresFirst"] as const)(
    "R9 (%s): at equal priority the lower cost wins over FIFO and expiry (seed 001: the cheapest class)",
    (tieBreak) => {
      const dear = mp("mp-a", "paid2-p1", "2027-01-01T10:00", { validUntil: "2027-04-01" });
      const cheap = mp("mp-z", "paid-p1", "2027-03-01T10:00", { validUntil: "2027-12-31" });
      const d = choose([dear, cheap], tieBreak);
      expect(d).toMatchObject({ multipackId: "mp-z", creditsDeducted: 1, creditsRemaining: 9 });
      expect(d.trace[1]).toMatchObject({ multipackId: "mp-a", outcome: "skipped" });
    },
  );

  it("R9: within one multipack the cheaper of two items of the same priority is charged", () => {
    const d = choose([mp("mp-1", "two-costs", "2027-01-01T10:00")]);
    expect(d).toMatchObject({ accessTypeId: "pool-b", creditsDeducted: 2, creditsRemaining: 8 });
  });

  it("R9: cost comes after priority and after cost 0: a dearer item of a lower priority number still wins", () => {
    const d = choose([
      mp("mp-cheap", "paid-p2", "2027-01-01T10:00"),
      mp("mp-dear", "paid2-p1", "2027-03-01T10:00"),
    ]);
    expect(d).toMatchObject({ multipackId: "mp-dear", creditsDeducted: 2 });
    const free = choose([
      mp("mp-paid", "paid-p1", "2027-01-01T10:00"),
      mp("mp-free", "free-p1", "2027-03-01T10:00"),
    ]);
    expect(free).toMatchObject({ multipackId: "mp-free", creditsDeducted: 0 });
  });

  it("R9: FIFO: the earliest purchasedAt wins, whatever the ids and the order of the facts", () => {
    const late = mp("mp-a", "paid-p1", "2027-03-01T10:00");
    const early = mp("mp-z", "paid-p1", "2027-02-01T10:00", { validUntil: "2027-12-31" });
    const sooner = mp("mp-m", "paid-p1", "2027-02-15T10:00", { validUntil: "2027-04-01" });
    expect(choose([late, early, sooner]).multipackId).toBe("mp-z");
    expect(choose([sooner, late, early]).multipackId).toBe("mp-z");
  });

  it("R9: with tieBreak expiresFirst the earliest validUntil wins over the earliest purchase", () => {
    const early = mp("mp-z", "paid-p1", "2027-02-01T10:00", { validUntil: "2027-12-31" });
    const sooner = mp("mp-m", "paid-p1", "2027-02-15T10:00", { validUntil: "2027-04-01" });
    expect(choose([early, sooner], "expiresFirst").multipackId).toBe("mp-m");
    expect(choose([sooner, early], "expiresFirst").multipackId).toBe("mp-m");
  });

  it("R9: with tieBreak expiresFirst a multipack without an end comes after one that ends", () => {
    const endless = mp("mp-a", "paid-p1", "2027-01-01T10:00");
    const ending = mp("mp-b", "paid-p1", "2027-03-01T10:00", { validUntil: "2030-01-01" });
    expect(choose([endless, ending], "expiresFirst").multipackId).toBe("mp-b");
  });

  it("R9: expiresFirst compares the validUntil pushed by suspensions", () => {
    const pushed = mp("mp-a", "paid-p1", "2027-01-01T10:00", {
      validUntil: "2027-04-01",
      suspensions: [{ from: "2027-01-10", to: "2027-01-19" }],
    }); // until 11 Apr
    const plain = mp("mp-b", "paid-p1", "2027-03-01T10:00", { validUntil: "2027-04-05" });
    expect(choose([pushed, plain], "expiresFirst").multipackId).toBe("mp-b");
  });

  it.each(["fifo", "expiresFirst"] as const)("R9 (%s): a full tie is broken by multipack id", (tieBreak) => {
    const b = mp("mp-b", "paid-p1", "2027-03-01T10:00", { validUntil: "2027-06-01" });
    const a = mp("mp-a", "paid-p1", "2027-03-01T10:00", { validUntil: "2027-06-01" });
    expect(choose([b, a], tieBreak).multipackId).toBe("mp-a");
  });

  it("R9: the trace shows the chosen candidate first and the others as not chosen", () => {
    const d = choose([mp("mp-b", "paid-p1", "2027-03-01T10:00"), mp("mp-a", "paid-p2", "2027-01-01T10:00")]);
    expect(d.trace).toEqual([
      expect.objectContaining({
        multipackId: "mp-b",
        accessTypeId: "pool-a",
        outcome: "chosen",
        reason: "ok",
      }),
      expect.objectContaining({
        multipackId: "mp-a",
        accessTypeId: "pool-a",
        outcome: "skipped",
        reason: "ok",
      }),
    ]);
    expect(d.trace[1]?.detail).toContain("mp-b comes first");
  });

  it("R9: a chosen multipack's cost is the chosen item's, not another candidate's", () => {
    const d = choose([mp("mp-2", "paid-p2", "2027-01-01T10:00"), mp("mp-1", "free-p1", "2027-03-01T10:00")]);
    expect(d).toMatchObject({ multipackId: "mp-1", creditsDeducted: 0, productId: "free-p1" });
  });
});

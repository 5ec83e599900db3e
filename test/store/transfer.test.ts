/**
 * R18 through the cache: nothing is stored for a transfer, yet a recorded decision, its event and
 * ledger entry, `balance` and `explain` all see the credits moved, from the facts and `now` alone.
 */
import { readFileSync } from "node:fs";
import { describe, expect } from "vitest";
import { formatBalance, formatDecision } from "../../gateway/cliFormat.js";
import { explain, memberBalance, scan, siteModel } from "../../gateway/decisions.js";
import { listEvents } from "../../gateway/store/events.js";
import { test } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { dump, importInputs, scanReq } from "./storeHelpers.js";

const SEED_003 = new URL("../fixtures/seed003.yaml", import.meta.url);

const ADA = "4242";
/** The example site and seed003.yaml: Ada holds two transferring pool packs, 3 left on the first. */
const it = test.extend("adaWithTwoPacks", ({ exampleStore: store }) => {
  importInputs(store, [{ name: "seed003.yaml", text: readFileSync(SEED_003, "utf8") }]);
  return store;
});

const AFTER = at("2027-03-22T10:00"); // mp-1 (until 2027-03-09) has ended

describe("R18 in the cache", () => {
  it("R18: a scan after mp-1 ended charges mp-2 with the 3 carried over, and the event says 8/13", ({
    adaWithTwoPacks: store,
  }) => {
    const e = scan(store, scanReq(ADA, "pool"), AFTER, "gw-1");
    expect(e).toMatchObject({
      decision: "grant",
      multipackId: "mp-2",
      creditsDeducted: 1,
      creditsRemaining: 8,
      creditsTotal: 13,
      message: "Welcome Ada — 8/13 left",
    });
    expect(listEvents(store).at(-1)).toMatchObject({ creditsRemaining: 8, creditsTotal: 13 });
    // The only ledger rows are the ones written by import and this grant: no transfer is stored.
    const rows = (dump(store).ledger as string[]).map(
      (r) => JSON.parse(r) as { id: string; multipack_id: string },
    );
    const mine = rows.filter((r) => r.multipack_id === "mp-1" || r.multipack_id === "mp-2");
    expect(mine.map((r) => `${r.multipack_id} ${r.id}`).sort()).toEqual([
      "mp-1 central:1",
      "mp-2 central:2",
      "mp-2 gw-1:1",
    ]);
  });

  it("R18: balance shows mp-1 at 0/10 and mp-2 at 9/13, naming the transfer", ({
    adaWithTwoPacks: store,
  }) => {
    const b = memberBalance(store, { card: ADA }, AFTER);
    const [p1, p2] = ["mp-1", "mp-2"].map((id) => b.multipacks.find((m) => m.multipackId === id));
    expect(p1).toMatchObject({ status: "expired", creditsRemaining: 0, creditsTotal: 10 });
    expect(p2).toMatchObject({ status: "active", creditsRemaining: 9, creditsTotal: 13 });
    const text = formatBalance(b);
    expect(text).toMatch(
      /mp-1 +10 swims, leftovers carried over +expired +2027-01-10 … 2027-03-09 +0\/10 credits left/,
    );
    expect(text).toContain("moved on: 3 unused to mp-2 when this ended 2027-03-09");
    expect(text).toMatch(/mp-2 .* 9\/13 credits left\n {6}carried over: 3 from mp-1, which ended 2027-03-09/);
  });

  it("R18: before mp-1 ends nothing has moved, and explain's trace names no transfer", ({
    adaWithTwoPacks: store,
  }) => {
    const before = at("2027-03-09T10:00");
    const d = explain(store, scanReq(ADA, "pool"), before);
    expect(d).toMatchObject({ multipackId: "mp-1", creditsRemaining: 2, creditsTotal: 10 });
    expect(formatDecision(d, siteModel(store), "explain")).not.toContain("R18");
    expect(memberBalance(store, { card: ADA }, before).multipacks.map((m) => m.creditsTotal)).toContain(10);
  });

  it("R18: explain's trace names the transfer on both packs", ({ adaWithTwoPacks: store }) => {
    const text = formatDecision(explain(store, scanReq(ADA, "pool"), AFTER), siteModel(store), "explain");
    expect(text).toContain(
      "- mp-1 - skipped expired: valid until 2027-03-09 (R2); ended 2027-03-09 with 3 unused, moved to mp-2 (R18)",
    );
    expect(text).toContain(
      "+ mp-2 pool-offpeak chosen ok: costs 1 (R4), priority 1; 3 credits carried over from mp-1, which ended 2027-03-09 (R18)",
    );
  });
});

import { describe, expect } from "vitest";
import { explain, memberBalance, scan } from "../../gateway/decisions.js";
import type { Store } from "../../gateway/store/db.js";
import { test } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { exampleText } from "../helpers/examples.js";
import { unpacked } from "../helpers/packedRows.js";
import { dump, importInputs, scanReq } from "./storeHelpers.js";

const MONDAY_10 = at("2027-03-22T10:00");
const MIN = 60_000;

type Entry = { id: string; amount: number; at: string; area?: string; kind?: string };

/** A member "m-ada" with card 100 and a swim10 multipack "mp-ada" holding `ledger`. */
function ada(ledger: Entry[]): { name: string; value: unknown } {
  return {
    name: "ada.yaml",
    value: {
      members: [
        {
          id: "m-ada",
          name: "Ada",
          cards: [{ number: "100" }],
          multipacks: [{ id: "mp-ada", product: "swim10", purchasedAt: "2027-03-01T09:00:00+01:00", ledger }],
        },
      ],
    },
  };
}

/** A fresh store with the example site and Ada holding `ledger`. */
const it = test.extend("storeWithAda", ({ store: { store } }) => (ledger: Entry[]): Store => {
  importInputs(store, [{ name: "site.yaml", text: exampleText("site.yaml") }, ada(ledger)]);
  return store;
});

/** "remaining/total" of a multipack as `balance` shows it. */
function balance(store: Store, memberId: string, multipackId: string, now = MONDAY_10): string {
  const mp = memberBalance(store, { member: memberId }, now).multipacks.find(
    (m) => m.multipackId === multipackId,
  );
  return `${mp?.creditsRemaining}/${mp?.creditsTotal}`;
}

const usage = (id: string, amount: number): Entry => ({ id, amount, at: "2027-03-02T09:00:00Z" });

describe("R16: ledger entries merge by id", () => {
  it("R16: counts an entry received twice once, even when the second copy differs", ({ storeWithAda }) => {
    const store = storeWithAda([usage("central:1", 3)]);
    expect(balance(store, "m-ada", "mp-ada")).toBe("7/10");
    const summary = importInputs(store, [ada([usage("central:1", 3)])]);
    expect(summary).toMatchObject({ ledgerAdded: 0, ledgerKnown: 1 });
    importInputs(store, [ada([usage("central:1", 5)])]);
    expect(balance(store, "m-ada", "mp-ada")).toBe("7/10");
    expect(
      unpacked(store).db.prepare("SELECT count(*) AS n FROM ledger WHERE id = 'central:1'").get(),
    ).toEqual({
      n: 1,
    });
  });

  it("R16: a refund (negative amount) raises what remains, and is kept as an entry", ({ storeWithAda }) => {
    const store = storeWithAda([usage("central:1", 3)]);
    importInputs(store, [
      ada([usage("central:1", 3), { id: "central:2", amount: -2, at: "2027-03-03T09:00:00Z" }]),
    ]);
    expect(balance(store, "m-ada", "mp-ada")).toBe("9/10");
    const kinds = unpacked(store).db.prepare("SELECT id, kind, amount FROM ledger ORDER BY id").all();
    expect(kinds).toEqual([
      { id: "central:1", kind: "usage", amount: 3 },
      { id: "central:2", kind: "refund", amount: -2 },
    ]);
  });

  it("R16: a manual addition raises the total (10 + 5 → 15/15)", ({ storeWithAda }) => {
    const store = storeWithAda([{ id: "desk:1", amount: 5, kind: "addition", at: "2027-03-02T09:00:00Z" }]);
    expect(balance(store, "m-ada", "mp-ada")).toBe("15/15");
  });

  it("R16: a manual deduction lowers what remains only (7/10)", ({ storeWithAda }) => {
    const store = storeWithAda([{ id: "desk:1", amount: 3, kind: "deduction", at: "2027-03-02T09:00:00Z" }]);
    expect(balance(store, "m-ada", "mp-ada")).toBe("7/10");
  });

  it("R16: an addition then usage and a refund add up (10 + 5 − 4 + 1 → 12/15)", ({ storeWithAda }) => {
    const store = storeWithAda([
      { id: "desk:1", amount: 5, kind: "addition", at: "2027-03-02T09:00:00Z" },
      usage("central:1", 4),
      { id: "desk:2", amount: -1, kind: "refund", at: "2027-03-04T09:00:00Z" },
    ]);
    expect(balance(store, "m-ada", "mp-ada")).toBe("12/15");
  });
});

describe("R16: entries recorded here survive a re-import", () => {
  it("R16: re-importing a member from a file without the local entries keeps them (remaining unchanged)", ({
    exampleStore: store,
  }) => {
    const event = scan(store, scanReq("1234567", "pool"), MONDAY_10, "gw-1");
    expect(event).toMatchObject({ decision: "grant", creditsDeducted: 1, creditsRemaining: 9 });
    importInputs(store, [{ name: "members.yaml", text: exampleText("members.yaml") }]);
    expect(balance(store, "m-anna", "mp-anna-swim")).toBe("9/10");
    const local = unpacked(store)
      .db.prepare("SELECT id, amount, origin FROM ledger WHERE multipack_id = 'mp-anna-swim'")
      .all();
    expect(local).toEqual([{ id: "gw-1:1", amount: 1, origin: "local" }]);
  });

  it("R16: the central server sending back an entry recorded here does not count it twice", ({
    exampleStore: store,
  }) => {
    const event = scan(store, scanReq("1234567", "pool"), MONDAY_10, "gw-1");
    const echoed = { id: event.id, amount: 1, at: event.at, area: "pool" };
    const before = dump(store);
    importInputs(store, [
      {
        name: "central.yaml",
        value: {
          members: [
            {
              id: "m-anna",
              name: "Anna",
              cards: [{ number: "0001234567" }],
              multipacks: [
                {
                  id: "mp-anna-swim",
                  product: "swim10",
                  purchasedAt: "2027-03-01T18:00:00+01:00",
                  ledger: [echoed],
                },
              ],
            },
          ],
        },
      },
    ]);
    expect(balance(store, "m-anna", "mp-anna-swim")).toBe("9/10");
    expect(dump(store)).toEqual(before);
  });
});

describe("R5: entries from elsewhere anchor the deduction interval", () => {
  const charged = (area?: string): Entry => ({
    id: "gw-2:17",
    amount: 1,
    at: new Date(MONDAY_10).toISOString(),
    ...(area ? { area } : {}),
  });

  it("R5: a ledger entry from central with area and at makes a later scan within 90 minutes a re-entry", ({
    storeWithAda,
  }) => {
    const store = storeWithAda([charged("pool")]);
    const d = scan(store, scanReq("100", "pool"), MONDAY_10 + 30 * MIN, "gw-1");
    expect(d).toMatchObject({
      decision: "grant",
      reason: "reentry",
      creditsDeducted: 0,
      creditsRemaining: 9,
    });
  });

  it("R5: the interval is anchored at the charged entry: after 90 minutes the scan is charged", ({
    storeWithAda,
  }) => {
    const store = storeWithAda([charged("pool")]);
    const d = explain(store, scanReq("100", "pool"), MONDAY_10 + 91 * MIN);
    expect(d).toMatchObject({ decision: "grant", reason: "ok", creditsDeducted: 1, creditsRemaining: 8 });
  });

  it("R5: an entry without an area anchors nothing", ({ storeWithAda }) => {
    const store = storeWithAda([charged()]);
    const d = explain(store, scanReq("100", "pool"), MONDAY_10 + 30 * MIN);
    expect(d).toMatchObject({ decision: "grant", reason: "ok", creditsDeducted: 1, creditsRemaining: 8 });
  });

  it("R5: an entry in another area anchors nothing for this one", ({ storeWithAda }) => {
    const store = storeWithAda([charged("gym")]);
    const d = explain(store, scanReq("100", "pool"), MONDAY_10 + 30 * MIN);
    expect(d).toMatchObject({ decision: "grant", reason: "ok", creditsDeducted: 1 });
  });
});

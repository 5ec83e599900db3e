/**
 * Migration 15 (issue 12 §3), a compact cache: a member row says whether the member has blocks (R1)
 * or bookings (R10), so a decision for a member with neither skips both B-trees; the ledger is
 * stored by multipack, without an index of its own. The flag must follow every import, and a cache
 * made before the migration must decide, count and publish exactly as before.
 */
import { describe, expect } from "vitest";
import { explain, scan } from "../../gateway/decisions.js";
import type { Decision } from "../../gateway/engine/types.js";
import type { Store } from "../../gateway/store/db.js";
import { MIGRATIONS } from "../../gateway/store/migrations.js";
import { pendingEvents } from "../../gateway/store/outbox.js";
import { test } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { asVersion15, unpacked } from "../helpers/packedRows.js";
import { importExamples, importInputs, scanReq } from "./storeHelpers.js";

const BLOCK = { blocks: [{ reason: "unpaid", from: "2027-03-22", message: "See the front desk" }] };
const booking = (i: number) => ({
  bookings: [
    { id: `bk-p${i}`, area: "studio", start: "2027-03-22T10:00:00+01:00", end: "2027-03-22T11:00:00+01:00" },
  ],
});

/** A gymflex member with card `90<i>`, and whatever blocks or bookings `extra` gives. */
function member(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `m-p${i}`,
    cards: [{ number: `90${i}` }],
    multipacks: [{ id: `mp-p${i}`, product: "gymflex", purchasedAt: "2027-03-20T10:00:00+01:00" }],
    ...extra,
  };
}

function importMembers(store: Store, members: Record<string, unknown>[]): void {
  importInputs(store, [{ name: "members.yaml", value: { members } }]);
}

function probes(store: Store): Record<string, number> {
  const rows = store.db.prepare("SELECT id, probes FROM members ORDER BY id").all() as {
    id: string;
    probes: number;
  }[];
  return Object.fromEntries(rows.map((r) => [r.id, r.probes]));
}

const gymAt = (store: Store, card: string) => explain(store, scanReq(card, "gym"), at("2027-03-22T09:50"));
const studioAt = (store: Store, card: string) =>
  explain(store, scanReq(card, "studio"), at("2027-03-22T09:50"));

describe("member probes (migration 15)", () => {
  test("R1: a block imported onto a member denies member_blocked, and re-importing without it grants again", ({
    exampleStore: store,
  }) => {
    importMembers(store, [member(1)]);
    expect(gymAt(store, "901").reason).toBe("ok");
    importMembers(store, [member(1, BLOCK)]);
    expect(probes(store)["m-p1"]).toBe(1);
    expect(gymAt(store, "901")).toMatchObject({ decision: "deny", reason: "member_blocked" });
    importMembers(store, [member(1)]);
    expect(probes(store)["m-p1"]).toBe(0);
    expect(gymAt(store, "901").reason).toBe("ok");
  });

  test("R10: a booking imported onto a member grants the class early as a booking, and its removal decides as before", ({
    exampleStore: store,
  }) => {
    importMembers(store, [member(2)]);
    const without = studioAt(store, "902");
    expect(without.reason).not.toBe("booking");
    importMembers(store, [member(2, booking(2))]);
    expect(probes(store)["m-p2"]).toBe(2);
    expect(studioAt(store, "902")).toMatchObject({ decision: "grant", reason: "booking" });
    importMembers(store, [member(2, { ...booking(2), ...BLOCK })]);
    expect(probes(store)["m-p2"]).toBe(3);
    expect(studioAt(store, "902").reason).toBe("member_blocked");
    importMembers(store, [member(2)]);
    expect(studioAt(store, "902")).toEqual(without);
  });

  test("a member row written without the flag (its default) has both looked up", ({
    exampleStore: store,
  }) => {
    store.db.exec(`
      INSERT INTO members (id) VALUES ('m-raw');
      INSERT INTO cards (canonical, number, member_id, status) VALUES ('909', '909', 'm-raw', 'active');
      INSERT INTO blocks (member_id, pos, reason, date_from) VALUES ('m-raw', 0, 'unpaid', '2027-03-01');
    `);
    expect(probes(store)["m-raw"]).toBe(3);
    expect(gymAt(store, "909").reason).toBe("member_blocked");
  });

  test("the flag is what a decision trusts: with it clear, blocks are not read", ({
    exampleStore: store,
  }) => {
    importMembers(store, [member(3, BLOCK)]);
    expect(gymAt(store, "903").reason).toBe("member_blocked");
    store.db.prepare("UPDATE members SET probes = 0 WHERE id = 'm-p3'").run();
    expect(gymAt(store, "903").reason).toBe("ok");
  });

  test("migration 15 keeps every decision of a cache made at version 14, and sets each member's flag", ({
    store: t,
  }) => {
    importExamples(t.store);
    importMembers(t.store, [
      member(1, BLOCK),
      member(2, booking(2)),
      member(3, { ...BLOCK, ...booking(3) }),
      member(4),
    ]);
    const grid = (store: Store): Decision[] =>
      ["0001234567", "7654321", "901", "902", "903", "904"].flatMap((card) =>
        ["gym", "pool", "studio"].flatMap((area) =>
          ["2027-03-22T09:10", "2027-03-22T09:50", "2027-03-23T09:00"].map((time) =>
            explain(store, scanReq(card, area), at(time)),
          ),
        ),
      );
    // Grants recorded here: a charged one leaves a local ledger entry in the outbox.
    scan(t.store, scanReq("0001234567", "pool"), at("2027-03-22T09:00"), "gw-1");
    scan(t.store, scanReq("7654321", "pool"), at("2027-03-22T09:05"), "gw-1");
    const before = grid(t.store);
    expect(before.map((d) => d.reason)).toEqual(expect.arrayContaining(["ok", "booking", "member_blocked"]));
    const ledger = (store: Store) => unpacked(store).db.prepare("SELECT * FROM ledger ORDER BY id").all();
    const ledgerBefore = ledger(t.store);
    const published = pendingEvents(t.store);
    expect(published.flatMap((e) => ("ledger" in e ? e.ledger : []))).toHaveLength(1);
    asVersion14(t.store);

    const store = t.reopen();
    expect(store.db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    expect(grid(store)).toEqual(before);
    expect(ledger(store)).toEqual(ledgerBefore);
    expect(pendingEvents(store)).toEqual(published);
    // Migration 16 packed the ledger that migration 15 re-keyed: no table of rows is left.
    expect(
      store.db.prepare("SELECT name FROM sqlite_master WHERE tbl_name IN ('ledger', 'visits')").pluck().all(),
    ).toEqual([]);
    expect(probes(store)).toEqual({
      "m-anna": 0,
      "m-bruno": 0,
      "m-carla": 0,
      "m-dario": 0,
      "m-p1": 1,
      "m-p2": 2,
      "m-p3": 3,
      "m-p4": 0,
    });
  });
});

/** The cache as version 14 left it: no member flag, the ledger keyed by id with its multipack index. */
function asVersion14(store: Store): void {
  asVersion15(store);
  store.db.exec(`
    ALTER TABLE members DROP COLUMN probes;
    CREATE TABLE ledger_v14 (
      id TEXT PRIMARY KEY, multipack_id TEXT NOT NULL, amount INTEGER NOT NULL, at INTEGER NOT NULL,
      area TEXT, access_type_id TEXT, kind TEXT NOT NULL, origin TEXT NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO ledger_v14 SELECT id, multipack_id, amount, at, area, access_type_id, kind, origin FROM ledger;
    DROP TABLE ledger;
    ALTER TABLE ledger_v14 RENAME TO ledger;
    CREATE INDEX ledger_multipack ON ledger (multipack_id);
  `);
  store.db.pragma("user_version = 14");
}

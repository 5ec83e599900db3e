import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect } from "vitest";
import { memberBalance, scan } from "../../gateway/decisions.js";
import { DB_FILE, Store } from "../../gateway/store/db.js";
import { listEvents } from "../../gateway/store/events.js";
import { loadVisits } from "../../gateway/store/facts.js";
import { MIGRATIONS } from "../../gateway/store/migrations.js";
import { pendingEvents } from "../../gateway/store/outbox.js";
import { recordRelayFailure, refundId } from "../../gateway/store/relayFailure.js";
import { it } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { unpacked } from "../helpers/packedRows.js";
import { scanReq } from "../store/storeHelpers.js";

const MONDAY_10 = at("2027-03-22T10:00");
const ANNA = "1234567";
const BRUNO = "7654321";

const rows = (store: Store, sql: string, ...params: unknown[]) =>
  unpacked(store)
    .db.prepare(sql)
    .all(...params);
const swim = (store: Store, card: string) =>
  memberBalance(store, { card }, MONDAY_10).multipacks.find((m) => m.productId === "swim10");

describe("recordRelayFailure: a grant whose door did not open is undone", () => {
  it("refunds the credit with a negative ledger entry <event id>:refund, back to 10/10", ({
    exampleStore: store,
  }) => {
    const e = scan(store, scanReq(ANNA, "pool"), MONDAY_10, "gw-1");
    expect(swim(store, ANNA)).toMatchObject({ creditsRemaining: 9, creditsTotal: 10 });

    expect(recordRelayFailure(store, e, MONDAY_10 + 1500)).toEqual({ refunded: 1, marked: true });

    expect(swim(store, ANNA)).toMatchObject({ creditsRemaining: 10, creditsTotal: 10 });
    expect(rows(store, "SELECT id, amount, kind, area, at FROM ledger WHERE id = ?", refundId(e.id))).toEqual(
      [{ id: "gw-1:1:refund", amount: -1, kind: "refund", area: "pool", at: MONDAY_10 + 1500 }],
    );
  });

  it("marks the visit undone (kept: sticky, sync.md), removes the presence, marks the event relayFailed and queues it again for sync", ({
    exampleStore: store,
  }) => {
    const e = scan(store, scanReq(ANNA, "pool"), MONDAY_10, "gw-1");
    store.prepare("DELETE FROM outbox").run(); // as if sync had already sent it

    recordRelayFailure(store, e, MONDAY_10);

    expect(rows(store, "SELECT undone FROM visits WHERE id = ?", e.id)).toEqual([{ undone: 1 }]);
    expect(loadVisits(store, "m-anna", 0, "rome-center")).toEqual([]);
    expect(rows(store, "SELECT * FROM presence WHERE member_id = 'm-anna' AND area = 'pool'")).toEqual([]);
    expect(listEvents(store)).toEqual([{ ...e, relayFailed: true }]);
    expect(rows(store, "SELECT seq FROM outbox")).toEqual([{ seq: e.seq }]);
    // R13 hard anti-passback no longer sees Anna inside: she can scan in again.
    expect(scan(store, scanReq(ANNA, "pool"), MONDAY_10 + 60_000, "gw-1").decision).toBe("grant");
  });

  it("keeps presence when a later movement has replaced it", ({ exampleStore: store }) => {
    const e = scan(store, scanReq(ANNA, "pool"), MONDAY_10, "gw-1");
    scan(store, scanReq(ANNA, "pool", "out"), MONDAY_10 + 60_000, "gw-1");

    recordRelayFailure(store, e, MONDAY_10 + 120_000);

    expect(rows(store, "SELECT last_direction FROM presence WHERE member_id = 'm-anna'")).toEqual([
      { last_direction: "out" },
    ]);
  });

  it("changes nothing the second time", ({ exampleStore: store }) => {
    const e = scan(store, scanReq(ANNA, "pool"), MONDAY_10, "gw-1");
    recordRelayFailure(store, e, MONDAY_10);

    expect(recordRelayFailure(store, e, MONDAY_10 + 1000)).toEqual({ refunded: 0, marked: false });
    expect(swim(store, ANNA)).toMatchObject({ creditsRemaining: 10, creditsTotal: 10 });
    expect(rows(store, "SELECT id FROM ledger WHERE id LIKE '%:refund'")).toEqual([{ id: "gw-1:1:refund" }]);
  });

  it("writes no refund for a grant that cost nothing, but still marks the event", ({
    exampleStore: store,
  }) => {
    const e = scan(store, scanReq(BRUNO, "gym"), MONDAY_10, "gw-1");
    expect(e).toMatchObject({ decision: "grant", creditsDeducted: 0 });

    expect(recordRelayFailure(store, e, MONDAY_10)).toEqual({ refunded: 0, marked: true });
    expect(rows(store, "SELECT id FROM ledger WHERE id LIKE '%:refund'")).toEqual([]);
    expect(listEvents(store)[0]).toMatchObject({ relayFailed: true });
  });
});

describe("relayFailed is on every recorded event (cli.md: null or false, never absent)", () => {
  it("is false on a grant and a deny as scan returns them and as events lists them", ({
    exampleStore: store,
  }) => {
    const grant = scan(store, scanReq(ANNA, "pool"), MONDAY_10, "gw-1");
    const deny = scan(store, scanReq("9999999", "pool"), MONDAY_10, "gw-1");

    expect(grant).toMatchObject({ decision: "grant", relayFailed: false });
    expect(deny).toMatchObject({ decision: "deny", relayFailed: false });
    expect(listEvents(store).map((e) => e.relayFailed)).toEqual([false, false]);
  });

  it("is written into events recorded before the field existed, once, by the migration that added it", ({
    folder: { dir },
  }) => {
    // A data folder as an accessgw before the migration left it: an event without the field, in the outbox.
    const backFill = MIGRATIONS.find((m) => m.name === "relayFailed on every event");
    if (!backFill) throw new Error("no back-fill migration");
    const raw = new Database(join(dir, DB_FILE));
    for (const m of MIGRATIONS.filter((m) => m.version < backFill.version)) raw.exec(m.sql);
    raw.pragma(`user_version = ${backFill.version - 1}`);
    const old = {
      id: "gw-1:1",
      seq: 1,
      decision: "deny",
      reason: "unknown_card",
      at: "2027-03-22T09:00:00.000Z",
    };
    raw
      .prepare(
        "INSERT INTO events (seq, id, at, member_id, decision, reason, doc) VALUES (1, ?, 0, NULL, ?, ?, ?)",
      )
      .run(old.id, old.decision, old.reason, JSON.stringify(old));
    raw.prepare("INSERT INTO outbox (seq) VALUES (1)").run();
    raw.close();

    const store = Store.open(dir);
    try {
      const doc = store.db.prepare("SELECT doc FROM events WHERE seq = 1").pluck().get() as string;
      expect(JSON.parse(doc)).toEqual({ ...old, relayFailed: false });
      expect(listEvents(store)[0]).toHaveProperty("relayFailed", false);
      expect(pendingEvents(store)[0]).toHaveProperty("relayFailed", false);
      // Not a relay failure: the outbox row is not flagged as queued again.
      expect(rows(store, "SELECT seq FROM outbox_requeued")).toEqual([]);
    } finally {
      store.close();
    }
  });
});

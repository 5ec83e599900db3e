import { describe, expect } from "vitest";
import { AccessGwError } from "../../config/errors.js";
import { explain, memberBalance, scan } from "../../gateway/decisions.js";
import type { Store } from "../../gateway/store/db.js";
import { claimGatewayId, listEvents } from "../../gateway/store/events.js";
import { it } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { unpacked } from "../helpers/packedRows.js";
import { dump, importExamples, scanReq } from "./storeHelpers.js";

const MONDAY_10 = at("2027-03-22T10:00");
const MIN = 60_000;
const ANNA = "1234567";

const rows = (store: Store, sql: string) => unpacked(store).db.prepare(sql).all();

describe("R14: a decision is recorded in one transaction", () => {
  it("R14: a charged grant writes its event, a ledger entry whose id is the event id, and an outbox row", ({
    exampleStore: store,
  }) => {
    const e = scan(store, scanReq(ANNA, "pool"), MONDAY_10, "gw-1");
    expect(e).toMatchObject({ id: "gw-1:1", seq: 1, decision: "grant", reason: "ok", creditsDeducted: 1 });
    expect(rows(store, "SELECT seq, id, decision, reason, member_id FROM events")).toEqual([
      { seq: 1, id: "gw-1:1", decision: "grant", reason: "ok", member_id: "m-anna" },
    ]);
    expect(JSON.parse((rows(store, "SELECT doc FROM events")[0] as { doc: string }).doc)).toEqual(e);
    expect(
      rows(
        store,
        "SELECT id, multipack_id, amount, area, access_type_id, kind, origin FROM ledger WHERE origin = 'local'",
      ),
    ).toEqual([
      {
        id: "gw-1:1",
        multipack_id: "mp-anna-swim",
        amount: 1,
        area: "pool",
        access_type_id: "pool-offpeak",
        kind: "usage",
        origin: "local",
      },
    ]);
    expect(rows(store, "SELECT seq FROM outbox")).toEqual([{ seq: 1 }]);
    expect(rows(store, "SELECT used FROM multipacks WHERE id = 'mp-anna-swim'")).toEqual([{ used: 1 }]);
  });

  it("R14: a deny writes an event and an outbox row but no ledger entry, visit or presence", ({
    exampleStore: store,
  }) => {
    const before = dump(store);
    const e = scan(store, scanReq(ANNA, "gym"), MONDAY_10, "gw-1");
    expect(e).toMatchObject({ decision: "deny", reason: "wrong_area", creditsDeducted: 0 });
    const after = dump(store);
    expect(after.events).toHaveLength(1);
    expect(after.outbox).toEqual(['{"seq":1}']);
    for (const table of ["ledger", "visits", "presence", "multipacks"])
      expect(after[table]).toEqual(before[table]);
  });

  it("R11, R14: an exit and a re-entry are recorded without a ledger entry", ({ exampleStore: store }) => {
    scan(store, scanReq(ANNA, "pool"), MONDAY_10, "gw-1");
    const exit = scan(store, scanReq(ANNA, "pool", "out"), MONDAY_10 + 10 * MIN, "gw-1");
    const back = scan(store, scanReq(ANNA, "pool"), MONDAY_10 + 20 * MIN, "gw-1");
    expect([exit.reason, back.reason]).toEqual(["exit", "reentry"]);
    expect(rows(store, "SELECT id FROM ledger WHERE origin = 'local'")).toEqual([{ id: "gw-1:1" }]);
    expect(rows(store, "SELECT seq FROM outbox ORDER BY seq")).toEqual([{ seq: 1 }, { seq: 2 }, { seq: 3 }]);
  });

  it("R14: when the ledger insert fails midway, neither the event nor the outbox row is written", ({
    exampleStore: store,
  }) => {
    // Migration 16: the entry is written into its multipack's packed ledger, new or not.
    for (const when of ["INSERT", "UPDATE"])
      store.db.exec(
        `CREATE TRIGGER ledger_fails_${when} BEFORE ${when} ON ledger_packs BEGIN SELECT RAISE(ABORT, 'power cut'); END`,
      );
    const before = dump(store);
    expect(() => scan(store, scanReq(ANNA, "pool"), MONDAY_10, "gw-1")).toThrow("power cut");
    expect(dump(store)).toEqual(before);
    expect(store.meta("gateway_id")).toBeUndefined();
    store.db.exec("DROP TRIGGER ledger_fails_INSERT; DROP TRIGGER ledger_fails_UPDATE");
    // The failed attempt used up no sequence number.
    expect(scan(store, scanReq(ANNA, "pool"), MONDAY_10, "gw-1").id).toBe("gw-1:1");
  });

  it("R14: when the outbox insert fails, the event and the deduction are rolled back too", ({
    exampleStore: store,
  }) => {
    store.db.exec(
      "CREATE TRIGGER outbox_fails BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'full'); END",
    );
    const before = dump(store);
    expect(() => scan(store, scanReq(ANNA, "pool"), MONDAY_10, "gw-1")).toThrow("full");
    expect(dump(store)).toEqual(before);
  });

  it("R14: scan records exactly the decision explain predicted", ({ exampleStore: store }) => {
    const predicted = explain(store, scanReq(ANNA, "pool"), MONDAY_10);
    const {
      kind,
      id: _id,
      seq: _seq,
      relayFailed: _relayFailed,
      passed,
      operator,
      staffReason,
      ...recorded
    } = scan(store, scanReq(ANNA, "pool"), MONDAY_10, "gw-1");
    expect(recorded).toEqual(predicted);
    // D7: a scan's event is a decision nobody acted on by hand, its passage not (yet) known.
    expect({ kind, passed, operator, staffReason }).toEqual({
      kind: "decision",
      passed: null,
      operator: null,
      staffReason: null,
    });
  });
});

describe("event ids", () => {
  it("are <gateway id>:<seq> with seq 1, 2, 3…", ({ exampleStore: store }) => {
    const ids = [0, 1, 2].map((i) => scan(store, scanReq(ANNA, "gym"), MONDAY_10 + i * MIN, "gw-1").id);
    expect(ids).toEqual(["gw-1:1", "gw-1:2", "gw-1:3"]);
  });

  it("are never reused, after closing and reopening and after deleting events", ({ store: t }) => {
    importExamples(t.store);
    scan(t.store, scanReq(ANNA, "gym"), MONDAY_10, "gw-1");
    scan(t.store, scanReq(ANNA, "gym"), MONDAY_10 + MIN, "gw-1");
    t.reopen();
    expect(scan(t.store, scanReq(ANNA, "gym"), MONDAY_10 + 2 * MIN, "gw-1").id).toBe("gw-1:3");
    // The newest event deleted (e.g. pruned after sync): its seq is not handed out again.
    t.store.db.exec("DELETE FROM events WHERE seq = 3; DELETE FROM outbox WHERE seq = 3");
    expect(scan(t.store, scanReq(ANNA, "gym"), MONDAY_10 + 3 * MIN, "gw-1").seq).toBe(4);
    t.store.db.exec("DELETE FROM events; DELETE FROM outbox");
    t.reopen();
    const next = scan(t.store, scanReq(ANNA, "gym"), MONDAY_10 + 4 * MIN, "gw-1");
    expect(next).toMatchObject({ id: "gw-1:5", seq: 5 });
  });

  it("are listed oldest first with their recorded documents, from an instant and up to a limit", ({
    exampleStore: store,
  }) => {
    const later = scan(store, scanReq(ANNA, "gym"), MONDAY_10 + 5 * MIN, "gw-1");
    const earlier = scan(store, scanReq(ANNA, "gym"), MONDAY_10, "gw-1");
    expect(listEvents(store)).toEqual([earlier, later]);
    expect(listEvents(store, { since: MONDAY_10 + MIN })).toEqual([later]);
    expect(listEvents(store, { limit: 1 })).toEqual([earlier]);
  });
});

describe("the gateway id of a data folder", () => {
  it("refuses to record under another gateway id, with code GATEWAY_ID_MISMATCH and a clear message", ({
    store: t,
    exampleStore: store,
  }) => {
    scan(store, scanReq(ANNA, "gym"), MONDAY_10, "gw-1");
    const before = dump(store);
    let caught: unknown;
    try {
      scan(store, scanReq(ANNA, "pool"), MONDAY_10 + MIN, "gw-2");
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AccessGwError);
    expect((caught as AccessGwError).code).toBe("GATEWAY_ID_MISMATCH");
    expect((caught as Error).message).toBe(
      `this data folder (${t.dir}) records events as gateway "gw-1", not "gw-2": ` +
        `set gateway.id (or ACCESSGW_GATEWAY_ID) to "gw-1", or use another --data folder`,
    );
    expect(dump(store)).toEqual(before);
  });

  it("is kept across reopening, and claiming the same id again is fine", ({ store: t }) => {
    importExamples(t.store);
    scan(t.store, scanReq(ANNA, "gym"), MONDAY_10, "gw-1");
    t.reopen();
    expect(() => claimGatewayId(t.store, "gw-1")).not.toThrow();
    expect(() => scan(t.store, scanReq(ANNA, "gym"), MONDAY_10, "other")).toThrow(AccessGwError);
    expect(scan(t.store, scanReq(ANNA, "gym"), MONDAY_10, "gw-1").id).toBe("gw-1:2");
  });

  it("is not claimed by explain", ({ exampleStore: store }) => {
    explain(store, scanReq(ANNA, "pool"), MONDAY_10);
    expect(store.meta("gateway_id")).toBeUndefined();
  });
});

describe("bad input to the decisions", () => {
  it("refuses to decide before a site is imported (NO_SITE), recording nothing", ({ store: t }) => {
    const before = dump(t.store);
    for (const run of [
      () => scan(t.store, scanReq(ANNA, "pool"), MONDAY_10, "gw-1"),
      () => explain(t.store, scanReq(ANNA, "pool"), MONDAY_10),
      () => memberBalance(t.store, { member: "m-anna" }, MONDAY_10),
    ])
      expect(run).toThrow(expect.objectContaining({ code: "NO_SITE" }));
    expect(dump(t.store)).toEqual(before);
  });

  it("refuses an unknown area (UNKNOWN_AREA) naming the site's areas, recording nothing", ({
    exampleStore: store,
  }) => {
    const before = dump(store);
    expect(() => scan(store, scanReq(ANNA, "sauna"), MONDAY_10, "gw-1")).toThrow(
      'unknown area "sauna" (the site has: gym, pool, studio)',
    );
    expect(dump(store)).toEqual(before);
  });

  it("refuses a balance for an unknown card or member (UNKNOWN_MEMBER)", ({ exampleStore: store }) => {
    expect(() => memberBalance(store, { card: "0042" }, MONDAY_10)).toThrow('unknown card "42"');
    expect(() => memberBalance(store, { member: "m-nobody" }, MONDAY_10)).toThrow(
      'unknown member "m-nobody"',
    );
    expect(memberBalance(store, { card: "0001234567" }, MONDAY_10).memberId).toBe("m-anna");
  });
});

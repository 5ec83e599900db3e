import { describe, expect } from "vitest";
import { memberBalance, scan } from "../../gateway/decisions.js";
import type { Store } from "../../gateway/store/db.js";
import { isDecisionEvent, listEvents } from "../../gateway/store/events.js";
import { loadVisits } from "../../gateway/store/facts.js";
import { pendingEvents } from "../../gateway/store/outbox.js";
import { recordNoPassage, recordPassage, undoId, waitingGrants } from "../../gateway/store/passages.js";
import { recordRelayFailure } from "../../gateway/store/relayFailure.js";
import { it } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { unpacked } from "../helpers/packedRows.js";
import { scanReq } from "./storeHelpers.js";

const ANNA = "1234567";
const T = (hhmm: string) => at(`2027-03-22T${hhmm}`);
const WAIT = { doorId: "pool-gate", input: "pool-pass", deadline: T("17:30") + 10_000 };

const rows = (store: Store, sql: string, ...params: unknown[]) =>
  unpacked(store)
    .db.prepare(sql)
    .all(...params);
const swim = (store: Store) =>
  memberBalance(store, { card: ANNA }, T("18:00")).multipacks.find((m) => m.productId === "swim10");
const presence = (store: Store) =>
  rows(store, "SELECT last_direction, last_at, last_in_at FROM presence WHERE member_id = 'm-anna'");

/** Anna swam in the morning (in 09:00, out 09:30) and comes back at peak time to a door with a passage input. */
function annaAtPeak(store: Store) {
  scan(store, scanReq(ANNA, "pool"), T("09:00"), "gw-1");
  scan(store, scanReq(ANNA, "pool", "out"), T("09:30"), "gw-1");
  const before = presence(store);
  const e = scan(store, scanReq(ANNA, "pool"), T("17:30"), "gw-1", { passage: WAIT, door: true });
  return { e, before };
}

describe("D2: a grant waits for its passage", () => {
  it("D2: the member walks away: credits back by <id>:undo, visit undone, presence as it was, passed false, queued again", ({
    exampleStore: store,
  }) => {
    const { e, before } = annaAtPeak(store);
    expect(e).toMatchObject({ decision: "grant", creditsDeducted: 2, passed: null });
    expect(swim(store)).toMatchObject({ creditsRemaining: 7 });
    store.prepare("DELETE FROM outbox").run(); // as if sync had sent everything

    expect(recordNoPassage(store, e, WAIT.deadline)).toEqual({ refunded: 2, marked: true });

    expect(swim(store)).toMatchObject({ creditsRemaining: 9 });
    expect(rows(store, "SELECT id, amount, kind FROM ledger WHERE id = ?", undoId(e.id))).toEqual([
      { id: `${e.id}:undo`, amount: -2, kind: "refund" },
    ]);
    // sync.md: the visit is kept, marked undone (sticky), and no longer counted.
    expect(rows(store, "SELECT undone FROM visits WHERE id = ?", e.id)).toEqual([{ undone: 1 }]);
    expect(loadVisits(store, "m-anna", T("17:00"), "rome-center")).toEqual([]);
    expect(presence(store)).toEqual(before);
    expect(listEvents(store).at(-1)).toEqual({ ...e, passed: false });
    const queued = pendingEvents(store).filter(isDecisionEvent);
    expect(queued.map((q) => [q.id, q.passed, q.ledger.map((l) => l.id)])).toEqual([
      [e.id, false, [e.id, `${e.id}:undo`]],
    ]);
    expect(waitingGrants(store)).toEqual([]);
  });

  it("D2: the passage seen: passed true, the charge and visit stand, the settled copy queued again", ({
    exampleStore: store,
  }) => {
    const { e } = annaAtPeak(store);
    expect(waitingGrants(store)).toEqual([{ ...WAIT, event: e }]);
    store.prepare("DELETE FROM outbox").run();

    expect(recordPassage(store, e.seq)).toBe(true);

    expect(swim(store)).toMatchObject({ creditsRemaining: 7 });
    expect(listEvents(store).at(-1)).toMatchObject({ id: e.id, passed: true });
    expect(pendingEvents(store).map((q) => q.id)).toEqual([e.id]);
    expect(waitingGrants(store)).toEqual([]);
  });

  it("D2: a passage once recorded is never refunded, and a second passage finds no wait", ({
    exampleStore: store,
  }) => {
    const { e } = annaAtPeak(store);
    recordPassage(store, e.seq);
    expect(recordPassage(store, e.seq)).toBe(false);
    expect(recordNoPassage(store, e, WAIT.deadline + 1)).toEqual({ refunded: 0, marked: false });
    expect(swim(store)).toMatchObject({ creditsRemaining: 7 });
  });

  it("D2: a relay failure ends the wait (refund <id>:refund, once)", ({ exampleStore: store }) => {
    const { e } = annaAtPeak(store);
    recordRelayFailure(store, e, T("17:30"));
    expect(waitingGrants(store)).toEqual([]);
    expect(recordNoPassage(store, e, WAIT.deadline)).toEqual({ refunded: 0, marked: false });
    expect(swim(store)).toMatchObject({ creditsRemaining: 9 });
  });

  it("D2: a deny waits for nothing", ({ exampleStore: store }) => {
    scan(store, scanReq("9999999", "pool"), T("17:30"), "gw-1", { passage: WAIT });
    expect(waitingGrants(store)).toEqual([]);
  });
});

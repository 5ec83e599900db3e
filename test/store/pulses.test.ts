import { describe, expect } from "vitest";
import { explain, memberBalance, scan } from "../../gateway/decisions.js";
import type { Store } from "../../gateway/store/db.js";
import { isDecisionEvent, listEvents } from "../../gateway/store/events.js";
import { pendingEvents } from "../../gateway/store/outbox.js";
import { markPulseDone, UNDO_PENDING_WITHIN_MS, undoUnfinishedPulses } from "../../gateway/store/pulses.js";
import { it } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { scanReq } from "./storeHelpers.js";

const MONDAY_10 = at("2027-03-22T10:00");
const ANNA = "1234567";

const pulseOf = (store: Store, seq: number) =>
  store.db.prepare("SELECT pulse FROM events WHERE seq = ?").pluck().get(seq) as string | null;
const swim = (store: Store) =>
  memberBalance(store, { card: ANNA }, MONDAY_10).multipacks.find((m) => m.productId === "swim10");

describe("the door pulse of a grant is recorded with the grant (R14) and its outcome after", () => {
  it("is pending for a grant at a door, done once the relay finished it; none for a deny or without a door", ({
    exampleStore: store,
  }) => {
    const atDoor = scan(store, scanReq(ANNA, "pool"), MONDAY_10, "gw-1", { door: true });
    const denied = scan(store, scanReq("9999999", "pool"), MONDAY_10, "gw-1", { door: true });
    const noDoor = scan(store, scanReq(ANNA, "pool", "out"), MONDAY_10 + 60_000, "gw-1");
    expect(pulseOf(store, atDoor.seq)).toBe("pending");
    expect(pulseOf(store, denied.seq)).toBeNull();
    expect(pulseOf(store, noDoor.seq)).toBeNull();

    markPulseDone(store, atDoor.seq);
    expect(pulseOf(store, atDoor.seq)).toBe("done");
  });
});

describe("undoUnfinishedPulses: grants a crash left between the decision and the pulse", () => {
  it("undoes one decided within 30 s like a relay failure: refund, visit, presence, event queued again", ({
    exampleStore: store,
  }) => {
    const e = scan(store, scanReq(ANNA, "pool"), MONDAY_10, "gw-1", { door: true });
    store.prepare("DELETE FROM outbox").run(); // as if sync had already sent it
    expect(swim(store)).toMatchObject({ creditsRemaining: 9 });

    const result = undoUnfinishedPulses(store, MONDAY_10 + UNDO_PENDING_WITHIN_MS);

    expect(result.undone.map((u) => [u.event.id, u.outcome.refunded])).toEqual([[e.id, 1]]);
    expect(result.unknown).toEqual([]);
    expect(swim(store)).toMatchObject({ creditsRemaining: 10, creditsTotal: 10 });
    expect(listEvents(store)).toEqual([{ ...e, relayFailed: true }]);
    expect(pulseOf(store, e.seq)).toBe("failed");
    expect(
      pendingEvents(store)
        .filter(isDecisionEvent)
        .map((p) => [p.id, p.relayFailed, p.ledger.map((l) => l.amount)]),
    ).toEqual([[e.id, true, [1, -1]]]);
    // R12 hard anti-passback: with the visit and the presence undone, Anna's re-scan is an entry again.
    expect(explain(store, scanReq(ANNA, "pool"), MONDAY_10 + 40_000)).toMatchObject({
      decision: "grant",
      reason: "ok",
    });
    // Done once: a second start finds nothing left.
    expect(undoUnfinishedPulses(store, MONDAY_10 + 31_000)).toEqual({ undone: [], unknown: [] });
  });

  it("leaves one older than 30 s charged, marked unknown and reported once", ({ exampleStore: store }) => {
    const e = scan(store, scanReq(ANNA, "pool"), MONDAY_10, "gw-1", { door: true });

    const result = undoUnfinishedPulses(store, MONDAY_10 + UNDO_PENDING_WITHIN_MS + 1);

    expect(result).toEqual({ undone: [], unknown: [e] });
    expect(pulseOf(store, e.seq)).toBe("unknown");
    expect(swim(store)).toMatchObject({ creditsRemaining: 9 });
    expect(listEvents(store)[0]).toMatchObject({ relayFailed: false });
    expect(undoUnfinishedPulses(store, MONDAY_10 + 60_000)).toEqual({ undone: [], unknown: [] });
  });

  it("never touches a grant whose pulse finished or that had no door", ({ exampleStore: store }) => {
    const opened = scan(store, scanReq(ANNA, "pool"), MONDAY_10, "gw-1", { door: true });
    markPulseDone(store, opened.seq);
    scan(store, scanReq(ANNA, "pool", "out"), MONDAY_10 + 1000, "gw-1");
    const before = listEvents(store);

    expect(undoUnfinishedPulses(store, MONDAY_10 + 2000)).toEqual({ undone: [], unknown: [] });
    expect(listEvents(store)).toEqual(before);
    expect(swim(store)).toMatchObject({ creditsRemaining: 9 });
  });
});

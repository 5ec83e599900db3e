import { describe, expect } from "vitest";
import { scan } from "../../gateway/decisions.js";
import type { Store } from "../../gateway/store/db.js";
import { isDecisionEvent, listEvents } from "../../gateway/store/events.js";
import { ackUpTo, outboxDepth, outboxRange, pendingEvents } from "../../gateway/store/outbox.js";
import { recordRelayFailure, refundId } from "../../gateway/store/relayFailure.js";
import { it } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { scanReq } from "./storeHelpers.js";

const MONDAY_10 = at("2027-03-22T10:00");
const ANNA_CARD = "1234567";

/** `n` denied scans of an unknown card, one second apart. */
function denials(store: Store, n: number, from = MONDAY_10): void {
  for (let i = 0; i < n; i++) scan(store, scanReq(`55${i}`, "gym"), from + i * 1000, "gw-1");
}

const seqs = (store: Store, options?: { afterSeq?: number; limit?: number }) =>
  pendingEvents(store, options).map((e) => e.seq);

describe("outbox: unacked events in seq order, in batches", () => {
  it("gives events oldest first, from after a seq, at most `limit` of them", ({ exampleStore: store }) => {
    denials(store, 7);
    expect(seqs(store, { limit: 3 })).toEqual([1, 2, 3]);
    expect(seqs(store, { afterSeq: 3, limit: 3 })).toEqual([4, 5, 6]);
    expect(seqs(store, { afterSeq: 6 })).toEqual([7]);
    expect(pendingEvents(store)[0]).toMatchObject({ id: "gw-1:1", seq: 1, relayFailed: false, ledger: [] });
  });

  it("never gives more than 500 events in one batch", ({ exampleStore: store }) => {
    denials(store, 501);
    expect(pendingEvents(store, { limit: 10_000 })).toHaveLength(500);
    expect(seqs(store, { afterSeq: 500 })).toEqual([501]);
  });

  it("carries the ledger entry a charged grant wrote, with the event's id", ({ exampleStore: store }) => {
    const e = scan(store, scanReq(ANNA_CARD, "pool"), MONDAY_10, "gw-1");
    expect(pendingEvents(store).filter(isDecisionEvent)[0]?.ledger).toEqual([
      {
        multipackId: "mp-anna-swim",
        id: e.id,
        amount: 1,
        at: new Date(MONDAY_10).toISOString(),
        area: "pool",
        accessType: e.accessTypeId,
        kind: "usage",
      },
    ]);
  });
});

describe("outbox: acks", () => {
  it("forgets events up to the acked seq and keeps them in the event history", ({ exampleStore: store }) => {
    denials(store, 5);
    expect(outboxRange(store)).toEqual({ firstSeq: 1, lastSeq: 5 });
    expect(ackUpTo(store, 3)).toBe(3);
    expect(seqs(store)).toEqual([4, 5]);
    expect(outboxDepth(store)).toBe(2);
    expect(outboxRange(store)).toEqual({ firstSeq: 4, lastSeq: 5 });
    expect(listEvents(store)).toHaveLength(5);
    expect(ackUpTo(store, 3)).toBe(0);
    ackUpTo(store, 5);
    expect(outboxDepth(store)).toBe(0);
    expect(outboxRange(store)).toEqual({ firstSeq: null, lastSeq: null });
  });

  it("survives a restart: the same events wait after reopening", ({ store: t, exampleStore: store }) => {
    denials(store, 4);
    ackUpTo(store, 1);
    const before = pendingEvents(store);
    const reopened = t.reopen();
    expect(pendingEvents(reopened)).toEqual(before);
    expect(outboxRange(reopened)).toEqual({ firstSeq: 2, lastSeq: 4 });
  });
});

describe("outbox: a grant whose door did not open", () => {
  it("sends the event again with its usage and its refund, and a stale ack does not lose it", ({
    exampleStore: store,
  }) => {
    const e = scan(store, scanReq(ANNA_CARD, "pool"), MONDAY_10, "gw-1");
    const first = pendingEvents(store).filter(isDecisionEvent);
    expect(first[0]?.ledger.map((l) => l.id)).toEqual([e.id]);
    recordRelayFailure(store, e, MONDAY_10 + 500);
    // The central acks the first copy, which it received before the relay failed.
    ackUpTo(store, e.seq);
    const again = pendingEvents(store).filter(isDecisionEvent);
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ id: e.id, relayFailed: true });
    expect(again[0]?.ledger.map((l) => [l.id, l.amount, l.kind])).toEqual([
      [e.id, 1, "usage"],
      [refundId(e.id), -1, "refund"],
    ]);
    // The ack of the second copy forgets it.
    ackUpTo(store, e.seq);
    expect(outboxDepth(store)).toBe(0);
  });

  it("queues an event acked before its relay failed again, and one ack forgets it", ({
    exampleStore: store,
  }) => {
    const e = scan(store, scanReq(ANNA_CARD, "pool"), MONDAY_10, "gw-1");
    ackUpTo(store, e.seq);
    expect(outboxDepth(store)).toBe(0);
    recordRelayFailure(store, e, MONDAY_10 + 500);
    expect(
      pendingEvents(store)
        .filter(isDecisionEvent)[0]
        ?.ledger.map((l) => l.id),
    ).toEqual([e.id, refundId(e.id)]);
    ackUpTo(store, e.seq);
    expect(outboxDepth(store)).toBe(0);
  });
});

/**
 * Offline operation with the reference central (issue 4): the broker goes away, scans go on from
 * the cache, the broker comes back, and every event reaches the central exactly once by id, with
 * the central's credits equal to the gateway's. Two gateways that both charge the same 10-credit
 * pack while offline end, with the central, on the same remaining credits: the union of entries.
 */
import { describe, expect, vi } from "vitest";
import { isDecision } from "../../config/protocol/events.js";
import { memberBalance, scan } from "../../gateway/decisions.js";
import { listEvents, type RecordedEvent } from "../../gateway/store/events.js";
import { outboxDepth } from "../../gateway/store/outbox.js";
import { test } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { scanReq } from "../store/storeHelpers.js";

const ANNA = "0001234567";
const wait = (fn: () => void, timeout = 15_000) => vi.waitFor(fn, { timeout, interval: 20 });

const it = test
  /** The reference central on the worked example's files, started. */
  .extend(
    "startCentral",
    ({ central }) =>
      (prefix: string) =>
        central(prefix, { watch: false }).start(),
  )
  /** A gateway with an empty cache running the sync client; `swim` records Anna's pool visits. */
  .extend("syncedGateway", ({ newStore, syncClient }) => (prefix: string, id: string) => {
    const t = newStore();
    const client = syncClient({ store: t.store, gatewayId: id, prefix, sync: { ackTimeoutMs: 300 } });
    const events: RecordedEvent[] = [];
    /** Anna in and out of the pool at each local time (hard anti-passback: she leaves each time). */
    const swim = (...times: string[]) => {
      for (const time of times) {
        events.push(scan(t.store, scanReq(ANNA, "pool"), at(time), id));
        events.push(scan(t.store, scanReq(ANNA, "pool", "out"), at(time) + 30 * 60_000, id));
        client.poke();
      }
    };
    const remaining = () =>
      memberBalance(t.store, { member: "m-anna" }, at("2027-03-23T09:00")).multipacks.find(
        (m) => m.multipackId === "mp-anna-swim",
      )?.creditsRemaining;
    return { store: t.store, client, events, swim, remaining };
  });

describe("offline operation with the reference central", () => {
  it("keeps deciding without the broker; afterwards every event reaches the central exactly once", async ({
    broker,
    startCentral,
    syncedGateway,
  }) => {
    const c = await startCentral("off1/v1");
    const g = syncedGateway("off1/v1", "gw-off");
    await wait(() => expect(g.client.report().inStep).toBe(true));
    g.swim("2027-03-22T08:00");
    await wait(() => expect(outboxDepth(g.store)).toBe(0));

    await broker.stop();
    await wait(() => expect(g.client.link.isOpen()).toBe(false));
    // Offline: decided from the cache, 1 credit each off-peak (2 h apart: no re-entry), 2 at peak.
    g.swim("2027-03-22T10:00", "2027-03-22T12:00", "2027-03-22T14:00", "2027-03-22T18:00");
    expect(g.events.filter((e) => e.direction === "in").map((e) => [e.decision, e.creditsDeducted])).toEqual([
      ["grant", 1],
      ["grant", 1],
      ["grant", 1],
      ["grant", 1],
      ["grant", 2],
    ]);
    expect(g.remaining()).toBe(4);
    expect(outboxDepth(g.store)).toBe(8);

    await broker.restart();
    await wait(() => expect(outboxDepth(g.store)).toBe(0));
    // Exactly once by id at the central, in seq order, the same documents the gateway recorded.
    const stored = c.events("gw-off");
    expect(stored.map((e) => e.id)).toEqual(g.events.map((e) => e.id));
    expect(new Set(stored.map((e) => e.id)).size).toBe(10);
    expect(stored.filter(isDecision).map((e) => e.creditsDeducted)).toEqual(
      g.events.map((e) => e.creditsDeducted),
    );
    expect(c.watermark("gw-off")).toBe(10);
    // The credits agree: 10 − (1 + 1 + 1 + 1 + 2).
    expect(c.remaining("mp-anna-swim")).toBe(4);
    expect(g.remaining()).toBe(4);
    expect(listEvents(g.store)).toHaveLength(10);
  });

  it("ends two gateways that both charged the same pack offline, and the central, on the same credits", async ({
    broker,
    startCentral,
    syncedGateway,
  }) => {
    const c = await startCentral("off2/v1");
    const a = syncedGateway("off2/v1", "gw-a");
    const b = syncedGateway("off2/v1", "gw-b");
    await wait(() => {
      expect(a.client.report().inStep).toBe(true);
      expect(b.client.report().inStep).toBe(true);
    });
    await broker.stop();
    await wait(() => expect(a.client.link.isOpen() || b.client.link.isOpen()).toBe(false));
    // Neither hears of the other: gate A charges 3, gate B 2 (and then 2 at peak), all granted.
    a.swim("2027-03-22T10:00", "2027-03-22T12:00", "2027-03-22T14:00");
    b.swim("2027-03-22T10:30", "2027-03-22T12:30", "2027-03-22T18:30");
    expect(a.remaining()).toBe(7);
    expect(b.remaining()).toBe(6);

    await broker.restart();
    await wait(() => {
      expect(outboxDepth(a.store)).toBe(0);
      expect(outboxDepth(b.store)).toBe(0);
    });
    // The central holds every event once and folds the union of entries: 10 − 3 − 4 = 3.
    expect(c.events("gw-a")).toHaveLength(6);
    expect(c.events("gw-b")).toHaveLength(6);
    expect(c.remaining("mp-anna-swim")).toBe(3);
    // Each gateway gets the other's entries in the member document the central re-publishes.
    await wait(() => {
      expect(a.remaining()).toBe(3);
      expect(b.remaining()).toBe(3);
    });
  });
});

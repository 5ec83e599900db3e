/**
 * How the sync client knows its cache can be trusted (sync.offline): the central's answer to hello
 * puts it in step, the last sync time is kept current while it stays connected and in step, and it
 * stops moving when the link drops or a gap appears. The status reports a stale cache; members
 * refused for want of their config are asked for again once the config arrives.
 */
import { describe, expect, vi } from "vitest";
import { StatusMessage } from "../../config/protocol/payloads.js";
import { scan } from "../../gateway/decisions.js";
import { syncState } from "../../gateway/store/db.js";
import type { SyncClientOptions } from "../../gateway/sync/client.js";
import { test } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { exampleDoc } from "../helpers/examples.js";
import { importExamples, scanReq, type TestStore } from "../store/storeHelpers.js";

const SITE = "rome-center";
const HOUR = 3_600_000;

const wait = (fn: () => void) => vi.waitFor(fn, { timeout: 10_000, interval: 20 });

const it = test
  /** The central, played by a plain client, that can also answer "nothing new since `rev`". */
  .extend("peer", ({ centralPeer }) => async (prefix: string, g: string) => {
    const c = await centralPeer(prefix, g);
    /** The answer of a central with nothing new: changes up to exactly the gateway's revision. */
    const inStep = (rev: number) =>
      c.send(`gateways/${g}/sync`, {
        fromRev: rev,
        toRev: rev,
        snapshot: false,
        part: 1,
        parts: 1,
        members: [],
        deletedMembers: [],
      });
    return { ...c, inStep };
  })
  /** The gateway's sync client on `t` with its offline policy, and its last sync checked every 30 ms. */
  .extend(
    "startClient",
    ({ syncClient }) =>
      (
        t: TestStore,
        prefix: string,
        g: string,
        clock: () => number,
        offline: { maxStaleHours: number; after: "keep-deciding" | "deny-paid" },
        more: Partial<SyncClientOptions> = {},
      ) =>
        syncClient({
          store: t.store,
          gatewayId: g,
          prefix,
          sync: { offline },
          clock,
          freshnessIntervalMs: 30,
          ...more,
        }),
  );

describe("the sync client's trust in its cache", () => {
  it("is in step once the central answers, keeps the last sync current, and stops when the link drops", async ({
    store: t,
    broker,
    startClient,
    peer,
  }) => {
    importExamples(t.store);
    let now = at("2027-03-22T10:00");
    const c = await peer("f1/v1", "gw-fresh");
    const client = startClient(t, "f1/v1", "gw-fresh", () => now, { maxStaleHours: 72, after: "deny-paid" });
    await wait(() => expect(c.got.hello).toHaveLength(1));
    // Imported, never synced: stale until the central answers.
    expect(syncState(t.store).lastSyncAt).toBeNull();
    expect(client.report()).toMatchObject({ inStep: false, stale: true });
    expect(client.problems()).toEqual([
      "offlineStale: the cache never synced with the central; paid entries are denied (deny-paid)",
    ]);

    await c.inStep(0);
    await wait(() => expect(client.report().inStep).toBe(true));
    expect(syncState(t.store).lastSyncAt).toBe(now);
    expect(client.problems()).toEqual([]);
    // Days pass with nothing to change: in step, the last sync follows the clock.
    now += 100 * HOUR;
    await wait(() => expect(syncState(t.store).lastSyncAt).toBe(now));
    expect(client.report().stale).toBe(false);

    // The link drops: the last sync stays at the moment it dropped.
    const dropped = now;
    const inner = (client.link as unknown as { client: { stream: { destroy(): void } } }).client;
    await broker.stop();
    inner?.stream.destroy();
    await wait(() => expect(client.report().inStep).toBe(false));
    now += 73 * HOUR;
    await new Promise((r) => setTimeout(r, 100));
    expect(syncState(t.store).lastSyncAt).toBe(dropped);
    expect(client.report()).toMatchObject({ stale: true, inStep: false });
    expect(client.problems()).toEqual([
      "offlineStale: the cache has not synced for 73 h (more than sync.offline.maxStaleHours 72); paid entries are denied (deny-paid)",
    ]);
    // The daemon's decisions see the same: a paid swim is refused, the unlimited gym is not.
    const offline = { maxStaleHours: 72, after: "deny-paid" as const };
    expect(scan(t.store, scanReq("0001234567", "pool"), now, "gw-fresh", { offline }).reason).toBe(
      "offline_stale",
    );

    // Back online: hello again, and the answer makes it current.
    await broker.restart();
    const c2 = await peer("f1/v1", "gw-fresh");
    await wait(() => expect(client.link.isOpen()).toBe(true));
    // Its connect hello may have come before this central subscribed (the restarted broker kept
    // nothing): a change past a gap makes it say hello again.
    const rev = syncState(t.store).lastRev;
    await c2.send(`sites/${SITE}/changes`, { rev: rev + 5, members: [], deletedMembers: [] });
    await wait(() => expect(c2.got.hello.length).toBeGreaterThan(0));
    await c2.inStep(rev);
    await wait(() => expect(client.report()).toMatchObject({ inStep: true, stale: false }));
    expect(syncState(t.store).lastSyncAt).toBe(now);
  });

  it("leaves step on a gap until the answer to its hello", async ({ store: t, startClient, peer }) => {
    importExamples(t.store);
    let now = at("2027-03-22T10:00");
    const c = await peer("f2/v1", "gw-gap");
    const client = startClient(t, "f2/v1", "gw-gap", () => now, {
      maxStaleHours: 72,
      after: "keep-deciding",
    });
    await wait(() => expect(c.got.hello).toHaveLength(1));
    await c.inStep(0);
    await wait(() => expect(client.report().inStep).toBe(true));
    await c.send(`sites/${SITE}/changes`, { rev: 1, members: [], deletedMembers: [] });
    await wait(() => expect(client.counters().changesApplied).toBe(1));
    expect(client.report().inStep).toBe(true);

    await c.send(`sites/${SITE}/changes`, { rev: 3, members: [], deletedMembers: [] });
    await wait(() => expect(c.got.hello).toHaveLength(2));
    expect(client.report().inStep).toBe(false);
    const left = syncState(t.store).lastSyncAt;
    now += 2 * HOUR;
    await new Promise((r) => setTimeout(r, 100));
    expect(syncState(t.store).lastSyncAt).toBe(left);
    await c.send(`gateways/gw-gap/sync`, {
      fromRev: 1,
      toRev: 3,
      snapshot: false,
      part: 1,
      parts: 1,
      members: [],
      deletedMembers: [],
    });
    await wait(() => expect(client.report()).toMatchObject({ inStep: true, lastRev: 3 }));
    expect(syncState(t.store).lastSyncAt).toBe(now);
  });

  it("asks again for members it refused once their config has arrived", async ({
    store: t,
    startClient,
    peer,
  }) => {
    const c = await peer("f3/v1", "gw-order");
    const client = startClient(t, "f3/v1", "gw-order", Date.now, {
      maxStaleHours: 72,
      after: "keep-deciding",
    });
    await wait(() => expect(c.got.hello).toHaveLength(1));
    // The snapshot arrives before any config: its members name products the gateway does not know.
    const members = exampleDoc<{ members: unknown[] }>("members.yaml").members;
    const snapshot = { fromRev: 0, toRev: 5, snapshot: true, part: 1, parts: 1, members, deletedMembers: [] };
    await c.send("gateways/gw-order/sync", snapshot);
    await wait(() => expect(client.counters().partsRejected).toBe(1));
    expect(client.problems()[0]).toMatch(/^syncRejected: sync part 1\/1: /);
    await wait(() => {
      const last = StatusMessage.parse(c.got.status.at(-1));
      expect(last.online && last.problems.some((p) => p.startsWith("syncRejected"))).toBe(true);
    });

    const site = exampleDoc<Record<string, unknown>>("site.yaml");
    await c.send(`sites/${SITE}/config`, { rev: 1, config: site });
    await wait(() => expect(c.got.hello).toHaveLength(2));
    await c.send("gateways/gw-order/sync", snapshot);
    await wait(() => expect(client.counters().syncsCompleted).toBe(1));
    expect(client.problems()).toEqual([]);
    expect(scan(t.store, scanReq("0001234567", "pool"), at("2027-03-22T10:00"), "gw-order").memberId).toBe(
      "m-anna",
    );
  });

  it("asks again when the parts of an answer stop coming", async ({ store: t, startClient, peer }) => {
    importExamples(t.store);
    const c = await peer("f4/v1", "gw-stall");
    const client = startClient(
      t,
      "f4/v1",
      "gw-stall",
      Date.now,
      { maxStaleHours: 72, after: "keep-deciding" },
      {
        answerStallMs: 150,
      },
    );
    await wait(() => expect(c.got.hello).toHaveLength(1));
    const members = exampleDoc<{ members: unknown[] }>("members.yaml").members;
    const part = (n: number) => ({
      fromRev: 0,
      toRev: 4,
      snapshot: true,
      part: n,
      parts: 2,
      members: n === 1 ? members.slice(0, 2) : members.slice(2),
      deletedMembers: [],
    });
    // Part 2 of 2 never comes (a broker dropped it): the gateway says hello again, and the central
    // answers again; the part already applied counts, and the answer completes.
    await c.send("gateways/gw-stall/sync", part(1));
    await wait(() => expect(c.got.hello).toHaveLength(2));
    expect(client.report().inStep).toBe(false);
    await c.send("gateways/gw-stall/sync", part(2));
    await wait(() => expect(client.counters().syncsCompleted).toBe(1));
    expect(syncState(t.store).lastRev).toBe(4);
    await new Promise((r) => setTimeout(r, 300));
    expect(c.got.hello).toHaveLength(2);
  });
});

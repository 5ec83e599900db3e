/**
 * The sync client against a real Mosquitto, the test playing the central with a plain MQTT.js client:
 * hello on connect, a snapshot in two parts, changes in order / duplicated / with a gap, a bad
 * payload, events and acks, a config applied and configs rejected, and the offline status on stop.
 */
import { describe, expect, vi } from "vitest";
import { EventsMessage, HelloMessage, StatusMessage } from "../../config/protocol/payloads.js";
import { scan } from "../../gateway/decisions.js";
import { syncState } from "../../gateway/store/db.js";
import { outboxDepth } from "../../gateway/store/outbox.js";
import type { SyncClientOptions } from "../../gateway/sync/client.js";
import { test } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { exampleDoc, exampleText } from "../helpers/examples.js";
import { importExamples, importInputs, scanReq, type TestStore } from "../store/storeHelpers.js";

const MONDAY_10 = at("2027-03-22T10:00");
const SITE = "rome-center";

/** The gateway's sync client on `t`, acking within 300 ms, with one open reader in its status. */
const it = test.extend(
  "startClient",
  ({ syncClient }) =>
    (t: TestStore, prefix: string, g: string, more: Partial<SyncClientOptions> = {}) =>
      syncClient({
        store: t.store,
        gatewayId: g,
        prefix,
        sync: { ackTimeoutMs: 300 },
        readers: () => [{ id: "pool-in", state: "open" }],
        ...more,
      }),
);

const wait = (fn: () => void) => vi.waitFor(fn, { timeout: 10_000, interval: 20 });

describe("sync client with a real broker", () => {
  it("says hello, applies a 2-part snapshot, then changes; duplicates, gaps and bad payloads; events and acks", async ({
    store: t,
    startClient,
    centralPeer,
  }) => {
    const prefix = "t1/v1";
    const g = "gw-snap";
    importInputs(t.store, [{ name: "site.yaml", text: exampleText("site.yaml") }]);
    const c = await centralPeer(prefix, g);
    const client = startClient(t, prefix, g);

    await wait(() => expect(c.got.hello).toHaveLength(1));
    expect(HelloMessage.parse(c.got.hello[0])).toEqual({
      gatewayId: g,
      siteId: SITE,
      lastRev: 0,
      configRev: 0,
      version: "1.0.0-test",
      outbox: { firstSeq: null, lastSeq: null },
      // sync.md "Features": what the daemon announces (the harness's clients play it).
      features: ["commands", "homeSite", "visits", "historyHorizon"],
      // sync.md "History horizon": the worked example's weekly studio limit.
      historyDays: 7,
    });
    expect(scan(t.store, scanReq("0001234567", "pool"), MONDAY_10, g).reason).toBe("unknown_card");

    const members = exampleDoc<{ members: unknown[] }>("members.yaml").members;
    const half = Math.ceil(members.length / 2);
    const part = (n: number, ms: unknown[]) => ({
      fromRev: 0,
      toRev: 10,
      snapshot: true,
      part: n,
      parts: 2,
      members: ms,
      deletedMembers: [],
    });
    await c.send(`gateways/${g}/sync`, part(1, members.slice(0, half)));
    await c.send(`gateways/${g}/sync`, part(2, members.slice(half)));
    await wait(() => expect(client.counters().syncsCompleted).toBe(1));
    expect(syncState(t.store).lastRev).toBe(10);
    expect(scan(t.store, scanReq("0001234567", "pool"), MONDAY_10 + 1000, g).memberId).toBe("m-anna");
    expect(scan(t.store, scanReq("5550001", "gym"), MONDAY_10 + 2000, g).memberId).toBe("m-carla");

    // Changes in order, then the same again (a duplicate), then one past a gap.
    await c.send(`sites/${SITE}/changes`, { rev: 11, members: [], deletedMembers: ["m-carla"] });
    await wait(() => expect(client.counters().changesApplied).toBe(1));
    const carla = members.find((m) => (m as { id: string }).id === "m-carla");
    await c.send(`sites/${SITE}/changes`, { rev: 11, members: [carla], deletedMembers: [] });
    await wait(() => expect(client.counters().duplicates).toBe(1));
    expect(scan(t.store, scanReq("5550001", "gym"), MONDAY_10 + 3000, g).reason).toBe("unknown_card");
    await c.send(`sites/${SITE}/changes`, { rev: 13, members: [carla], deletedMembers: [] });
    await wait(() => expect(c.got.hello).toHaveLength(2));
    expect(HelloMessage.parse(c.got.hello[1]).lastRev).toBe(11);
    expect(client.counters().gaps).toBe(1);

    // A bad payload is counted and changes nothing.
    await c.send(`sites/${SITE}/changes`, "{not json");
    await c.send(`sites/${SITE}/changes`, {
      rev: 12,
      members: [{ id: "m-x", colour: "red" }],
      deletedMembers: [],
    });
    await wait(() => expect(client.counters().badPayloads).toBe(2));
    await client.idle();
    expect(syncState(t.store).lastRev).toBe(11);

    // Events reach the central; its ack empties the outbox; the status follows.
    client.poke();
    await wait(() => expect(c.got.events.length).toBeGreaterThan(0));
    const seqs = c.got.events.flatMap((m) => EventsMessage.parse(m).events.map((e) => e.seq));
    expect(Math.max(...seqs)).toBe(4);
    expect(outboxDepth(t.store)).toBe(4);
    await c.send(`gateways/${g}/acks`, { upTo: 4 });
    await wait(() => expect(outboxDepth(t.store)).toBe(0));
    await wait(() => {
      const last = StatusMessage.parse(c.got.status.at(-1));
      expect(last).toMatchObject({ online: true, lastRev: 11, outboxPending: 0, problems: [] });
      expect(last.online && last.readers).toEqual([{ id: "pool-in", connected: true }]);
    });

    // A clean stop leaves the retained offline status.
    await client.stop();
    await wait(() => expect(c.got.status.at(-1)).toEqual({ online: false }));
  });

  it("applies a newer config whole and rejects a bad one, keeping the previous in force", async ({
    store: t,
    startClient,
    centralPeer,
  }) => {
    const prefix = "t2/v1";
    const g = "gw-config";
    importExamples(t.store);
    const c = await centralPeer(prefix, g);
    const client = startClient(t, prefix, g);
    await wait(() => expect(c.got.hello).toHaveLength(1));

    const site = exampleDoc<Record<string, unknown> & { site: Record<string, unknown> }>("site.yaml");
    const fewer = { ...site, site: { ...site.site, holidays: [] } };
    await c.send(`sites/${SITE}/config`, { rev: 1, config: fewer }, true);
    await wait(() => expect(client.counters().configsApplied).toBe(1));
    expect(syncState(t.store).configRev).toBe(1);
    expect(t.store.siteConfig()?.site.holidays).toEqual([]);

    // Another site's config: refused whole, the previous stays in force.
    await c.send(`sites/${SITE}/config`, {
      rev: 2,
      config: { ...site, site: { ...site.site, id: "milan" } },
    });
    await wait(() => expect(client.counters().configsRejected).toBe(1));
    const state = syncState(t.store);
    expect(state.configRev).toBe(1);
    expect(state.configRejected?.rev).toBe(2);
    expect(t.store.siteConfig()?.products.length).toBeGreaterThan(0);
    expect(scan(t.store, scanReq("0001234567", "pool"), MONDAY_10, g).memberId).toBe("m-anna");
    await wait(() => {
      const last = StatusMessage.parse(c.got.status.at(-1));
      expect(last.online && last.problems[0]).toMatch(/^configRejected: config rev 2: /);
    });
    // A config that fails validation is a bad payload and a rejection too.
    await c.send(`sites/${SITE}/config`, { rev: 4, config: { ...site, colour: "red" } });
    await wait(() => expect(client.counters()).toMatchObject({ badPayloads: 1, configsRejected: 2 }));
    expect(syncState(t.store)).toMatchObject({ configRev: 1, configRejected: { rev: 4 } });
    expect(syncState(t.store).configRejected?.problems[0]).toMatch(/unknown field "colour"/);
    // Clear the retained config so the broker holds nothing for later runs.
    await c.send(`sites/${SITE}/config`, "", true);
  });

  it("leaves the last will when the link drops abruptly, then says hello and online again", async ({
    store: t,
    startClient,
    centralPeer,
  }) => {
    const prefix = "t3/v1";
    const g = "gw-will";
    importExamples(t.store);
    const c = await centralPeer(prefix, g);
    const client = startClient(t, prefix, g);
    await wait(() => expect(c.got.hello).toHaveLength(1));
    await wait(() => expect(c.got.status.at(-1)).toMatchObject({ online: true }));

    // Drop the TCP connection without a DISCONNECT: the broker publishes the will.
    const inner = (client.link as unknown as { client: { stream: { destroy(): void } } }).client;
    inner.stream.destroy();
    await wait(() => expect(c.got.status).toContainEqual({ online: false }));
    await wait(() => expect(c.got.hello).toHaveLength(2));
    await wait(() => expect(c.got.status.at(-1)).toMatchObject({ online: true }));
  });

  it("sends at most one gap hello per helloIntervalMs while a gap persists", async ({
    store: t,
    startClient,
    centralPeer,
  }) => {
    const prefix = "t4/v1";
    const g = "gw-gap";
    importExamples(t.store);
    const c = await centralPeer(prefix, g);
    let now = MONDAY_10;
    const client = startClient(t, prefix, g, { clock: () => now, helloIntervalMs: 5000 });
    await wait(() => expect(c.got.hello).toHaveLength(1));

    // Right after the connect hello: both gaps are held back.
    await c.send(`sites/${SITE}/changes`, { rev: 5, members: [], deletedMembers: [] });
    await c.send(`sites/${SITE}/changes`, { rev: 6, members: [], deletedMembers: [] });
    // `hellos` counts a hello once the broker acked it, which may come after the peer got it.
    await wait(() => expect(client.counters()).toMatchObject({ gaps: 2, hellos: 1, hellosDeferred: 2 }));

    // Once the interval has passed, the gap asks again.
    now += 5000;
    await c.send(`sites/${SITE}/changes`, { rev: 7, members: [], deletedMembers: [] });
    await wait(() => expect(c.got.hello).toHaveLength(2));
    await wait(() => expect(client.counters()).toMatchObject({ gaps: 3, hellos: 2, hellosDeferred: 2 }));
  });
});

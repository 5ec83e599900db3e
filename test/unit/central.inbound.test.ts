/**
 * The reference central's handling of what gateways send, with a fake broker link that records what
 * is published: hello → answer then acks (snapshot, in step, a gateway ahead of the central, the
 * watermark raised by the outbox range), events → stored, acked, the changed member published as the
 * next revision; other sites ignored; a change the broker missed published later in rev order; status
 * transitions logged.
 */

import { describe, expect } from "vitest";
import { type InboundContext, onEvents, onHello, onStatus } from "../../central/centralInbound.js";
import { CentralPublisher } from "../../central/centralPublisher.js";
import { CentralStore } from "../../central/centralStore.js";
import { newCounters } from "../../central/centralTypes.js";
import { gatewayInfo, watermark } from "../../central/gatewayStore.js";
import { reconcile } from "../../central/reconcile.js";
import {
  AcksMessage,
  ChangesMessage,
  ConfigMessage,
  EventsMessage,
  type StatusMessage,
  SyncMessage,
} from "../../config/protocol/payloads.js";
import type { MqttLink } from "../../drivers/mqtt/mqttTypes.js";
import { test } from "../harness/index.js";
import { annaDecision } from "../helpers/annaDecision.js";
import { exampleSources } from "../helpers/centralSources.js";
import { memoryLogger } from "../helpers/logs.js";

const P = "t/v1";
const LIMITS = { partMembers: 2, partBytes: 262_144 };

interface Sent {
  topic: string;
  payload: unknown;
  retain: boolean;
}

/** A broker link that records publishes, and refuses them while `open` is false. */
function fakeLink() {
  const sent: Sent[] = [];
  const state = { open: true };
  const link: MqttLink = {
    subscribe: () => () => {},
    publish: (topic, payload, options) => {
      if (!state.open) return Promise.reject(new Error("not connected to the broker"));
      sent.push({ topic, payload: JSON.parse(String(payload)), retain: options?.retain === true });
      return Promise.resolve();
    },
    health: () => ({ state: state.open ? "open" : "waiting", since: 0, lastError: undefined, attempts: 0 }),
    isOpen: () => state.open,
    on: () => () => {},
    nextRequestId: () => 1,
  };
  return { link, sent, state, leaf: (l: string) => sent.filter((s) => s.topic.endsWith(`/${l}`)) };
}

const it = test.extend("setup", ({ exampleFiles: { siteFile, membersFile, data }, defer }) => () => {
  const store = CentralStore.open(data);
  defer(() => store.close());
  const loaded = exampleSources(store, siteFile, membersFile);
  const config = loaded.config;
  // One changes rev for the files (parts of 2 members only for the answers below).
  reconcile(store, loaded, { partMembers: 500, partBytes: 262_144 });
  store.setMeta("published_rev", store.siteRev());
  const fake = fakeLink();
  const log = memoryLogger();
  const counters = newCounters();
  const publisher = new CentralPublisher({
    store,
    link: fake.link,
    topicPrefix: P,
    siteId: "rome-center",
    logger: log.logger,
    counters,
  });
  let configPublished = 0;
  const ctx: InboundContext = {
    store,
    siteId: "rome-center",
    logger: log.logger,
    counters,
    publisher,
    limits: LIMITS,
    replayLimit: 100,
    clock: () => 1_000,
    config: () => config,
    publishConfig: async () => {
      const rev = store.configRev();
      if (configPublished < rev && (await publisher.config({ rev, config }))) configPublished = rev;
    },
  };
  return { store, ctx, fake, log, counters, publisher };
});

function hello(g: string, lastRev: number, more: Record<string, unknown> = {}) {
  return {
    gatewayId: g,
    siteId: "rome-center",
    lastRev,
    configRev: 1,
    version: "1.0.0",
    outbox: { firstSeq: null, lastSeq: null },
    ...more,
  } as Parameters<typeof onHello>[1];
}

function events(g: string, seqs: number[], ledger = true) {
  const AT = "2027-03-22T09:00:00.000Z";
  return EventsMessage.parse({
    gatewayId: g,
    events: seqs.map((seq) =>
      annaDecision(g, seq, {
        at: AT,
        readerId: "pool-in",
        creditsDeducted: ledger ? 1 : 0,
        creditsRemaining: 9,
        ledger: ledger
          ? [
              {
                id: `${g}:${seq}`,
                multipackId: "mp-anna-swim",
                amount: 1,
                at: AT,
                area: "pool",
                kind: "usage",
              },
            ]
          : [],
      }),
    ),
  });
}

describe("the central's handling of gateway messages", () => {
  it("answers a new gateway's hello with a snapshot in parts, then re-sends its acks", async ({ setup }) => {
    const c = setup();
    await onHello(c.ctx, hello("gw-1", 0));
    const parts = c.fake.leaf("sync").map((s) => SyncMessage.parse(s.payload));
    expect(parts.map((p) => [p.part, p.parts, p.snapshot, p.fromRev, p.toRev])).toEqual([
      [1, 2, true, 0, 1],
      [2, 2, true, 0, 1],
    ]);
    expect(parts.flatMap((p) => p.members.map((m) => m.id))).toEqual([
      "m-anna",
      "m-bruno",
      "m-carla",
      "m-dario",
    ]);
    expect(c.fake.sent.map((s) => s.topic)).toEqual([
      `${P}/gateways/gw-1/sync`,
      `${P}/gateways/gw-1/sync`,
      `${P}/gateways/gw-1/acks`,
    ]);
    expect(AcksMessage.parse(c.fake.leaf("acks")[0]?.payload)).toEqual({ upTo: 0, lastSeq: 0 });
    expect(gatewayInfo(c.store, "gw-1")?.siteId).toBe("rome-center");
    expect(c.log.lines.find((l) => l.msg === "hello answered")).toMatchObject({
      gatewayId: "gw-1",
      answer: "snapshot",
      parts: 2,
    });
  });

  it("answers a gateway in step with one empty part", async ({ setup }) => {
    const c = setup();
    await onHello(c.ctx, hello("gw-1", 1));
    expect(c.fake.leaf("sync").map((s) => s.payload)).toEqual([
      { fromRev: 1, toRev: 1, snapshot: false, part: 1, parts: 1, members: [], deletedMembers: [] },
    ]);
    expect(c.counters).toMatchObject({ hellos: 1, inStep: 1, snapshots: 0 });
  });

  it("moves up to a gateway that is ahead (another central's revisions) and sends a snapshot it will apply", async ({
    setup,
  }) => {
    const c = setup();
    await onHello(c.ctx, hello("gw-1", 40, { configRev: 7 }));
    expect(c.store.siteRev()).toBe(40);
    expect(c.store.configRev()).toBe(8);
    expect(ConfigMessage.parse(c.fake.leaf("config")[0]?.payload).rev).toBe(8);
    expect(c.fake.leaf("config")[0]?.retain).toBe(true);
    const parts = c.fake.leaf("sync").map((s) => SyncMessage.parse(s.payload));
    expect(parts.every((p) => p.snapshot && p.toRev === 40)).toBe(true);
    // The next change follows the gateway's revision; the empty ones in between are never published.
    expect(c.store.publishedRev()).toBe(40);
  });

  it("raises the watermark to the gateway's first unacked seq − 1 and acks it", async ({ setup }) => {
    const c = setup();
    await onHello(c.ctx, hello("gw-1", 1, { outbox: { firstSeq: 31, lastSeq: 40 } }));
    expect(watermark(c.store, "gw-1")).toBe(30);
    expect(c.fake.leaf("acks").map((s) => s.payload)).toEqual([{ upTo: 30, lastSeq: 0 }]);
    expect(c.log.lines.some((l) => l.msg.startsWith("watermark raised"))).toBe(true);
  });

  it("stores events, acks them, then publishes the member they changed as the next revision", async ({
    setup,
  }) => {
    const c = setup();
    await onHello(c.ctx, hello("gw-1", 1));
    c.fake.sent.length = 0;
    await onEvents(c.ctx, events("gw-1", [1, 2]));
    expect(c.fake.sent.map((s) => s.topic)).toEqual([
      `${P}/gateways/gw-1/acks`,
      `${P}/sites/rome-center/changes`,
    ]);
    expect(c.fake.sent[0]?.payload).toEqual({ upTo: 2 });
    const change = ChangesMessage.parse(c.fake.sent[1]?.payload);
    expect(change.rev).toBe(2);
    expect(change.members.map((m) => m.id)).toEqual(["m-anna"]);
    expect(change.members[0]?.multipacks[0]?.ledger.map((e) => e.id)).toEqual(["gw-1:1", "gw-1:2"]);

    // Again: nothing new, no change, but the acks go out anyway (they clear a re-queued event).
    c.fake.sent.length = 0;
    await onEvents(c.ctx, events("gw-1", [1, 2]));
    expect(c.fake.sent.map((s) => s.payload)).toEqual([{ upTo: 2 }]);
    expect(c.counters).toMatchObject({ eventsStored: 2, eventsDuplicate: 2, acksSent: 3 });
  });

  it("hands the decisions stored on (a chain relays them); a hook that throws is logged, and the gateway is acked all the same", async ({
    setup,
  }) => {
    const c = setup();
    const told: string[][] = [];
    c.ctx.onDecisions = (decisions) => {
      told.push(decisions.map((e) => e.id));
      throw new Error("relay down");
    };
    await onHello(c.ctx, hello("gw-1", 1));
    c.fake.sent.length = 0;
    await onEvents(c.ctx, events("gw-1", [1, 2]));
    await onEvents(c.ctx, events("gw-1", [2]));
    expect(told).toEqual([["gw-1:1", "gw-1:2"]]);
    expect(c.fake.leaf("acks").map((s) => s.payload)).toEqual([{ upTo: 2 }, { upTo: 2 }]);
    expect(c.fake.leaf("changes")).toHaveLength(1);
    expect(c.log.at("error").map((l) => [l.msg, l.decisions])).toEqual([
      ["decisions not handed on (onDecisions failed)", 2],
    ]);
  });

  it("never acks past a missing batch", async ({ setup }) => {
    const c = setup();
    await onHello(c.ctx, hello("gw-1", 1));
    await onEvents(c.ctx, events("gw-1", [1, 2], false));
    await onEvents(c.ctx, events("gw-1", [5, 6], false));
    expect(c.fake.leaf("acks").map((s) => s.payload)).toEqual([
      { upTo: 0, lastSeq: 0 },
      { upTo: 2 },
      { upTo: 2 },
    ]);
    expect(c.log.lines.some((l) => l.msg.startsWith("events missing before this batch"))).toBe(true);
  });

  it("sync.md seq after a restore: the acks answering a hello say the highest seq held past a gap, and echo its helloId", async ({
    setup,
  }) => {
    const c = setup();
    await onHello(c.ctx, hello("gw-1", 1));
    await onEvents(c.ctx, events("gw-1", [1, 2], false));
    await onEvents(c.ctx, events("gw-1", [5, 6], false));
    c.fake.sent.length = 0;
    await onHello(c.ctx, hello("gw-1", 1, { helloId: "h-1" }));
    expect(c.fake.leaf("acks").map((s) => s.payload)).toEqual([{ upTo: 2, lastSeq: 6, helloId: "h-1" }]);
  });

  it("ignores hellos of another site and stores no events of a gateway it has not heard a hello from", async ({
    setup,
  }) => {
    const c = setup();
    await onHello(c.ctx, hello("gw-milan", 0, { siteId: "milan" }));
    await onHello(c.ctx, hello("gw-milan", 0, { siteId: "milan" }));
    await onEvents(c.ctx, events("gw-milan", [1]));
    await onEvents(c.ctx, events("gw-new", [1]));
    expect(c.fake.sent).toEqual([]);
    expect(c.counters).toMatchObject({ hellosOtherSite: 2, eventsIgnored: 2, eventsStored: 0 });
    expect(c.store.siteRev()).toBe(1);
    expect(gatewayInfo(c.store, "gw-milan")?.siteId).toBe("milan");
    // Said once at info level (a typo in gateway.site shows), then quietly.
    const said = c.log.lines.filter((l) => l.msg.startsWith("hello from a gateway of another site"));
    expect(said.map((l) => l.level)).toEqual(["info", "debug"]);
    expect(
      c.log.lines.find((l) => l.msg.startsWith("events from a gateway that has not said hello")),
    ).toMatchObject({
      gatewayId: "gw-new",
    });
  });

  it("publishes a change the broker missed on the next try, in rev order", async ({ setup }) => {
    const c = setup();
    await onHello(c.ctx, hello("gw-1", 1));
    c.fake.sent.length = 0;
    c.fake.state.open = false;
    await onEvents(c.ctx, events("gw-1", [1]));
    await onEvents(c.ctx, events("gw-1", [2]));
    expect(c.store.siteRev()).toBe(3);
    expect(c.store.publishedRev()).toBe(1);
    expect(c.counters.publishFailures).toBeGreaterThan(0);
    c.fake.state.open = true;
    expect(await c.publisher.pendingChanges()).toBe(true);
    expect(c.fake.leaf("changes").map((s) => ChangesMessage.parse(s.payload).rev)).toEqual([2, 3]);
    expect(c.store.publishedRev()).toBe(3);
  });

  it("records statuses and logs a gateway going online and offline once each", async ({ setup }) => {
    const c = setup();
    const online = {
      online: true,
      at: "2027-03-22T09:00:00.000Z",
      version: "1.0.0",
      lastRev: 1,
      configRev: 1,
      outboxPending: 0,
      readers: [],
      problems: [],
    } satisfies StatusMessage;
    onStatus(c.ctx, "gw-1", online);
    onStatus(c.ctx, "gw-1", { ...online, outboxPending: 3 });
    onStatus(c.ctx, "gw-1", { ...online, problems: ["configRejected: config rev 2: …"] });
    onStatus(c.ctx, "gw-1", { online: false });
    onStatus(c.ctx, "gw-1", { online: false });
    expect(c.log.lines.filter((l) => l.msg.startsWith("gateway")).map((l) => l.msg)).toEqual([
      "gateway online",
      "gateway reports problems",
      "gateway offline",
    ]);
    expect(gatewayInfo(c.store, "gw-1")).toMatchObject({ online: false, status: { online: false } });
  });
});

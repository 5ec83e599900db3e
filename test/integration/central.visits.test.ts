/**
 * sync.md "Sites with several gateways" through the reference central on a real Mosquitto, a plain
 * client playing a gateway: a free entry goes out as the member's visit in the next `changes`; its
 * undo (the relay-failed copy, D2) re-publishes the member at once with the visit undone and the
 * presence taken back; the decisions of each batch reach `onDecisions`; decisions of a chain's other
 * site taken with `takeRelayed` go out as visits with their site, and are never acked.
 */

import { describe, expect, vi } from "vitest";
import type { Member } from "../../config/members.js";
import type { DecisionEvent } from "../../config/protocol/events.js";
import { ChangesMessage, EventsMessage } from "../../config/protocol/payloads.js";
import { syncTopic } from "../../config/protocol/topics.js";
import { it } from "../harness/index.js";
import { EXAMPLE_SITE } from "../harness/sync.js";
import { annaDecision } from "../helpers/annaDecision.js";

const G = "gw-visits";
const AT = "2027-03-22T09:00:00+01:00";
const wait = (fn: () => void) => vi.waitFor(fn, { timeout: 10_000, interval: 20 });

/** Anna's free pool entry, event `seq` of gateway `g`. */
function entry(g: string, seq: number, more: Partial<DecisionEvent> = {}) {
  return annaDecision(g, seq, { at: AT, readerId: "pool-in", ...more });
}

/** The hello of gateway `g` in step with `central`, taking visits (sync.md "Features"): changes then carry them. */
function visitsHello(g: string, central: { siteRev(): number; configRev(): number }) {
  return {
    gatewayId: g,
    siteId: EXAMPLE_SITE,
    lastRev: central.siteRev(),
    configRev: central.configRev(),
    version: "test",
    features: ["visits"],
    outbox: { firstSeq: null, lastSeq: null },
  };
}

/** Anna's document in each `changes` message seen, in order. */
function annaChanges(payloads: string[]): Member[] {
  return payloads
    .map((p) => ChangesMessage.parse(JSON.parse(p)))
    .flatMap((c) => c.members.filter((m) => m.id === "m-anna")) as Member[];
}

describe("the reference central's visits and presence on a real broker", () => {
  it("publishes a free entry as a visit, its undo at once (visit undone, presence back), and hands each batch's decisions on", async ({
    central: centralSite,
    watcher,
  }) => {
    const P = "visits/v1";
    const relayed: DecisionEvent[][] = [];
    const central = await centralSite(P, { onDecisions: (events) => relayed.push(events) }).start();
    const changesTopic = syncTopic("changes", P, EXAMPLE_SITE, "");
    const gw = await watcher([changesTopic, syncTopic("acks", P, EXAMPLE_SITE, G)], { qos: 1 });
    const send = (kind: "hello" | "events", payload: unknown) =>
      gw.send({ topic: syncTopic(kind, P, EXAMPLE_SITE, G), payload: JSON.stringify(payload) });
    await send("hello", visitsHello(G, central));
    await wait(() => expect(central.gateways().map((g) => g.siteId)).toEqual([EXAMPLE_SITE]));

    await send("events", { gatewayId: G, events: [entry(G, 1)] });
    await wait(() => expect(annaChanges(gw.on(changesTopic))).toHaveLength(1));
    expect(annaChanges(gw.on(changesTopic))[0]).toMatchObject({
      visits: [{ id: `${G}:1`, site: EXAMPLE_SITE, at: AT, credits: 0, undone: false }],
      presence: [{ area: "pool", direction: "in", at: AT, eventId: `${G}:1` }],
    });
    expect(relayed.map((batch) => batch.map((e) => [e.id, e.relayFailed]))).toEqual([[[`${G}:1`, false]]]);

    // D2: the door did not open. The central re-publishes Anna with this batch, not after a timer.
    await send("events", { gatewayId: G, events: [entry(G, 1, { relayFailed: true })] });
    await wait(() => expect(annaChanges(gw.on(changesTopic))).toHaveLength(2));
    expect(annaChanges(gw.on(changesTopic))[1]).toMatchObject({
      visits: [{ id: `${G}:1`, undone: true }],
      presence: [],
    });
    expect(relayed.map((batch) => batch.map((e) => [e.id, e.relayFailed]))).toEqual([
      [[`${G}:1`, false]],
      [[`${G}:1`, true]],
    ]);
    // A copy it already has changes nothing and is handed on to nobody.
    await send("events", { gatewayId: G, events: [entry(G, 1)] });
    await wait(() => expect(central.counters().eventsDuplicate).toBe(1));
    await central.idle();
    expect(relayed).toHaveLength(2);
    expect(annaChanges(gw.on(changesTopic))).toHaveLength(2);
  });

  it("R20: takes a chain site's decisions through its queue and publishes them as visits of that site, never acked", async ({
    central: centralSite,
    watcher,
  }) => {
    const P = "relay/v1";
    const central = await centralSite(P).start();
    const changesTopic = syncTopic("changes", P, EXAMPLE_SITE, "");
    const seen = await watcher([changesTopic, `${P}/gateways/+/acks`], { qos: 1 });
    // A gateway of this site that takes visits (sync.md "Features"): the changes carry them.
    await seen.send({
      topic: syncTopic("hello", P, EXAMPLE_SITE, "gw-r"),
      payload: JSON.stringify(visitsHello("gw-r", central)),
    });
    await wait(() => expect(central.gateways().map((g) => g.siteId)).toEqual([EXAMPLE_SITE]));
    const milan = EventsMessage.parse({ gatewayId: "gw-m1", events: [entry("gw-m1", 4)] })
      .events as DecisionEvent[];
    const out = await central.takeRelayed("milan-north", milan);
    expect(out).toMatchObject({ stored: 1, changed: ["m-anna"] });
    await wait(() => expect(annaChanges(seen.on(changesTopic))).toHaveLength(1));
    expect(annaChanges(seen.on(changesTopic))[0]).toMatchObject({
      visits: [{ id: "gw-m1:4", site: "milan-north", undone: false }],
      presence: [],
    });
    expect(central.counters()).toMatchObject({ eventsRelayed: 1 });
    expect(central.memberDoc("m-anna")?.visits?.map((v) => v.site)).toEqual(["milan-north"]);
    expect(central.events()).toEqual([]);
    expect(seen.seen.filter((m) => m.topic.endsWith("gw-m1/acks"))).toEqual([]);
  });
});

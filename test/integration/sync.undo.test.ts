/**
 * sync.md "Undo" with every part real but the door's relay: the daemon on a real Mosquitto with the
 * reference central, an MQTT card reader from the simulator, and a Shelly Gen2 relay played by the
 * test so that it fails only once the central holds (and has acked) the grant. The ack timeout is a
 * minute: the corrected event reaching the central within seconds is the publisher woken at once,
 * not its timer. The central replaces its copy and publishes the refund to every gateway.
 */
import { describe, expect, vi } from "vitest";
import { GatewayConfig } from "../../config/gateway.js";
import { isDecision } from "../../config/protocol/events.js";
import { encodeRpcResponse } from "../../drivers/codecs/shelly.js";
import { SimMqttJsonReader } from "../../firmware-sim/devices/mqttJsonReader.js";
import { memberBalance } from "../../gateway/decisions.js";
import { syncState } from "../../gateway/store/db.js";
import { listEvents } from "../../gateway/store/events.js";
import { outboxDepth } from "../../gateway/store/outbox.js";
import { it } from "../harness/index.js";
import { at, clockFrom } from "../helpers/build.js";

const P = "undo/v1";
const G = "gw-undo";
const DEVICE = "shellyplus1-pool";
const ACK_TIMEOUT_MS = 60_000;
const MONDAY_10 = at("2027-03-22T10:00");

describe("sync.md Undo: a grant undone after it was published", () => {
  it("reaches the central at once (not after ackTimeoutMs), which replaces its copy and sends the refund to every gateway", async ({
    exampleStore: store,
    broker,
    started,
    mqttClient,
    central: centralSite,
    syncClient,
    newStore,
    gateway: startGateway,
  }) => {
    const central = await centralSite(P).start();
    // A second gateway of the site, to see the refund fanned out.
    const other = newStore();
    syncClient({ store: other.store, gatewayId: "gw-other", prefix: P });

    // The Shelly: online, holding every pulse (a Switch.Set with toggle_after) until the test answers.
    const shelly = await mqttClient();
    const requests: { id: number; src: string }[] = [];
    shelly.on("message", (_topic, payload) => {
      const request = JSON.parse(payload.toString()) as { id: number; src: string; params: object };
      if ("toggle_after" in request.params) requests.push(request);
    });
    await shelly.subscribeAsync(`${DEVICE}/rpc`, { qos: 1 });
    await shelly.publishAsync(`${DEVICE}/online`, "true", { retain: true });

    const reader = await started(
      new SimMqttJsonReader({ url: broker.url, topic: "pool/scan", field: "uid" }),
    );
    const config = GatewayConfig.parse({
      gateway: { id: G, site: "rome-center" },
      mqtt: { url: broker.url },
      sync: { enabled: true, topicPrefix: P, ackTimeoutMs: ACK_TIMEOUT_MS },
      readers: [
        {
          id: "pool-in",
          driver: "mqtt-json",
          topic: "pool/scan",
          field: "uid",
          area: "pool",
          direction: "in",
          door: "pool",
        },
      ],
      doors: [{ id: "pool", relay: "pool-relay", channel: 0, pulseMs: 300 }],
      relays: [{ id: "pool-relay", driver: "mqtt-shelly-gen2", device: DEVICE }],
    });
    const clock = clockFrom(MONDAY_10);
    const gateway = await startGateway({ config, store, gatewayId: G, clock });
    await vi.waitFor(
      () => {
        const s = gateway.status();
        expect(s.readers[0]?.state).toBe("open");
        expect(s.sync?.inStep).toBe(true);
        expect(syncState(other.store).lastRev).toBe(central.siteRev());
      },
      { timeout: 10_000 },
    );
    const remaining = (s: typeof store) =>
      memberBalance(s, { member: "m-anna" }, clock()).multipacks.find((m) => m.multipackId === "mp-anna-swim")
        ?.creditsRemaining;
    const before = 10;
    expect(remaining(store)).toBe(before);

    // Anna is let in: the grant goes to the central and is acked while the door is still opening.
    expect(reader.present("1234567")).toBe(true);
    await vi.waitFor(() => expect(requests).toHaveLength(1), { timeout: 5000 });
    const grant = listEvents(store)[0];
    expect(grant).toMatchObject({ decision: "grant", creditsDeducted: 1, relayFailed: false });
    const id = grant?.id as string;
    await vi.waitFor(
      () => {
        expect(
          central
            .events(G)
            .filter(isDecision)
            .find((e) => e.id === id)?.relayFailed,
        ).toBe(false);
        expect(outboxDepth(store)).toBe(0);
        expect(remaining(other.store)).toBe(before - 1);
      },
      { timeout: 1500, interval: 10 },
    );
    expect(listEvents(store)[0]?.relayFailed).toBe(false);

    // The relay refuses: the door did not open, the grant is undone at the gate.
    const request = requests[0] as { id: number; src: string };
    const refusal = encodeRpcResponse(request, DEVICE, { error: { code: -105, message: "switch 0 busy" } });
    await shelly.publishAsync(refusal.topic, refusal.payload, { qos: 1 });
    await vi.waitFor(() => expect(listEvents(store)[0]?.relayFailed).toBe(true), { timeout: 2000 });
    expect(remaining(store)).toBe(before);

    // sync.md: re-published at once. The central replaces its copy (same id, stored once, now
    // relayFailed with its refund) and the refund reaches the other gateway, all long before the
    // minute after which the ack timer would have re-sent it.
    await vi.waitFor(
      () => {
        const there = central.events(G).filter(isDecision);
        expect(there.map((e) => [e.id, e.relayFailed])).toEqual([[id, true]]);
        expect(central.remaining("mp-anna-swim")).toBe(before);
        expect(central.memberDoc("m-anna")?.multipacks[0]?.ledger.map((l) => [l.id, l.amount])).toEqual([
          [id, 1],
          [`${id}:refund`, -1],
        ]);
        expect(remaining(other.store)).toBe(before);
        expect(outboxDepth(store)).toBe(0);
      },
      { timeout: 5000, interval: 20 },
    );
    expect(central.counters()).toMatchObject({ eventsReplaced: 1 });
    // No ack timeout was needed: the outbox never went back to its first unacked event.
    expect(gateway.status().sync?.outbox).toMatchObject({ pending: 0, republishes: 0 });
  });
});

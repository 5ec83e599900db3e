/**
 * The outbox publisher against a real Mosquitto: a subscriber plays the central (collects events by
 * id, sends nothing); the broker goes away mid-way and comes back; every event arrives at least once
 * and, folded by id, exactly once; acks then empty the outbox.
 */
import { describe, expect, vi } from "vitest";
import { EventsMessage } from "../../config/protocol/payloads.js";
import { syncTopic } from "../../config/protocol/topics.js";
import { MqttConnection } from "../../drivers/mqtt/connection.js";
import { scan } from "../../gateway/decisions.js";
import { outboxDepth } from "../../gateway/store/outbox.js";
import { OutboxPublisher } from "../../gateway/sync/outboxPublisher.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { it } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { silentLogger } from "../helpers/logs.js";
import { importExamples, scanReq } from "../store/storeHelpers.js";

const MONDAY_10 = at("2027-03-22T10:00");
const GATEWAY = "gw-out";
const TOPIC = syncTopic("events", "accessgw/v1", "site-1", GATEWAY);

const silent = silentLogger();

describe("outbox publisher with a real broker that goes away", () => {
  it("delivers every event at least once, exactly once by id, across a broker restart; acks empty the outbox", async ({
    store: t,
    mqttClient,
    broker,
    defer,
  }) => {
    importExamples(t.store);
    let scans = 0;
    const record = (n: number) => {
      for (let i = 0; i < n; i++, scans++)
        scan(t.store, scanReq(`77${scans}`, "gym"), MONDAY_10 + scans * 1000, GATEWAY);
    };
    record(600);

    // The central: folds what arrives by id; stops the broker once a first part has arrived.
    const copies = new Map<string, string[]>();
    let invalid = 0;
    let stopping: Promise<void> | undefined;
    const central = await mqttClient({ reconnectPeriod: 100, clientId: "central-test" });
    central.on("message", (_topic, payload) => {
      const parsed = EventsMessage.safeParse(JSON.parse(payload.toString("utf8")));
      if (!parsed.success) {
        invalid++;
        return;
      }
      for (const e of parsed.data.events) copies.set(e.id, [...(copies.get(e.id) ?? []), JSON.stringify(e)]);
      if (stopping === undefined && copies.size >= 100) stopping = broker.stop();
    });
    await central.subscribeAsync(TOPIC, { qos: 1 });

    const link = new MqttConnection({
      logger: silentLogger(),
      config: { url: broker.url },
      gatewayId: GATEWAY,
      backoff: { baseMs: 50, factor: 2, capMs: 200, jitter: "none" },
    });
    defer(() => link.stop());
    const publisher = new OutboxPublisher({
      store: t.store,
      link,
      gatewayId: GATEWAY,
      topic: TOPIC,
      settings: { batchSize: 50, ackTimeoutMs: 300, outboxAlarm: 1_000_000 },
      scheduler: realScheduler,
      clock: Date.now,
      logger: silent,
    });
    defer(() => publisher.stop());
    link.start();
    publisher.start();

    await vi.waitFor(() => expect(stopping).toBeDefined(), { timeout: 10_000, interval: 20 });
    await stopping;
    await vi.waitFor(() => expect(link.isOpen()).toBe(false), { timeout: 5_000, interval: 20 });
    // Offline: the gateway keeps deciding and recording.
    for (let i = 0; i < 4; i++) {
      record(50);
      publisher.poke();
    }
    const total = scans;
    expect(copies.size).toBeLessThan(total);
    await broker.restart();

    const ids = Array.from({ length: total }, (_, i) => `${GATEWAY}:${i + 1}`);
    await vi.waitFor(() => expect(copies.size).toBe(total), { timeout: 20_000, interval: 50 });
    expect([...copies.keys()].sort()).toEqual([...ids].sort());
    for (const [id, docs] of copies) {
      expect(new Set(docs).size, `copies of ${id} differ`).toBe(1);
    }
    expect(invalid).toBe(0);
    expect(publisher.counters().republishes).toBeGreaterThanOrEqual(1);
    expect(outboxDepth(t.store)).toBe(total); // nothing is forgotten without an ack

    // The sync client hands the central's acks in.
    publisher.acked(total / 2);
    expect(publisher.depth()).toBe(total / 2);
    publisher.acked(total);
    expect(publisher.depth()).toBe(0);
    expect(publisher.alarm()).toBe(false);
  });
});

/**
 * The daemon with its MQTT drivers against a real Mosquitto and the simulator's MQTT devices:
 * Tasmota, JSON and esp-rfid readers open Tasmota, Shelly Gen2 and Shelly Gen1 relays; the broker
 * goes away and comes back, and the gateway decides again without a restart.
 */
import { describe, expect, vi } from "vitest";
import { GatewayConfig } from "../../config/gateway.js";
import { SimEspRfidReader } from "../../firmware-sim/devices/espRfidReader.js";
import { SimMqttJsonReader } from "../../firmware-sim/devices/mqttJsonReader.js";
import { SimShellyGen1 } from "../../firmware-sim/devices/shellyGen1.js";
import { SimShellyGen2 } from "../../firmware-sim/devices/shellyGen2.js";
import { SimTasmotaDevice } from "../../firmware-sim/devices/tasmotaDevice.js";
import { listEvents } from "../../gateway/store/events.js";
import { readLedger } from "../../gateway/store/packedHistory.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { it } from "../harness/index.js";
import { at, clockFrom } from "../helpers/build.js";
import { memoryLogger } from "../helpers/logs.js";
import { importExamples } from "../store/storeHelpers.js";

const onOff = (history: readonly { channel: number; on: boolean }[]) => history.map((c) => [c.channel, c.on]);

describe("the gateway with MQTT readers and relays on a real broker", () => {
  it("opens Tasmota, Shelly Gen2 and Gen1 relays for Tasmota, JSON and esp-rfid reads, and survives a broker restart", async ({
    store: t,
    broker,
    started,
    gateway: startGateway,
  }) => {
    importExamples(t.store);
    const url = broker.url;
    const device = { url, reconnectMs: 100 };
    const gymReader = await started(
      new SimTasmotaDevice({ ...device, topic: "gym-reader", relays: 0, scheduler: realScheduler }),
    );
    const gymRelay = await started(
      new SimTasmotaDevice({ ...device, topic: "gym-door", relays: 1, scheduler: realScheduler }),
    );
    const studioReader = await started(
      new SimMqttJsonReader({ ...device, topic: "studio/scan", field: "data.uid" }),
    );
    const studioRelay = await started(
      new SimShellyGen2({ ...device, device: "shellyplus1-studio", scheduler: realScheduler }),
    );
    const poolReader = await started(new SimEspRfidReader({ ...device, topic: "esp-rfid" }));
    const poolRelay = await started(new SimShellyGen1({ ...device, device: "shelly1-pool" }));

    const config = GatewayConfig.parse({
      readers: [
        {
          id: "gym-in",
          driver: "mqtt-tasmota",
          topic: "gym-reader",
          cardNumber: "decimal",
          area: "gym",
          direction: "in",
          door: "gym",
        },
        {
          id: "studio-in",
          driver: "mqtt-json",
          topic: "studio/scan",
          field: "data.uid",
          area: "studio",
          direction: "in",
          door: "studio",
        },
        {
          id: "pool-in",
          driver: "mqtt-esp-rfid",
          topic: "esp-rfid",
          cardNumber: "decimal",
          area: "pool",
          direction: "in",
          door: "pool",
        },
      ],
      doors: [
        { id: "gym", relay: "gym-relay", channel: 1, pulseMs: 300 },
        { id: "studio", relay: "studio-relay", channel: 0, pulseMs: 300 },
        { id: "pool", relay: "pool-relay", channel: 1, pulseMs: 300 },
      ],
      relays: [
        { id: "gym-relay", driver: "mqtt-tasmota", topic: "gym-door" },
        { id: "studio-relay", driver: "mqtt-shelly-gen2", device: "shellyplus1-studio" },
        { id: "pool-relay", driver: "mqtt-shelly-gen1", device: "shelly1-pool" },
      ],
      mqtt: { url, clientId: "accessgw-test-gw" },
    });
    const gateway = await startGateway({
      config,
      gatewayId: "gw-mqtt",
      clock: clockFrom(at("2027-03-22T10:00")),
      backoff: { baseMs: 50, factor: 2, capMs: 200, jitter: "none" },
    });
    const allOpen = () =>
      vi.waitFor(
        () => {
          const s = gateway.status();
          expect(s.mqtt?.state).toBe("open");
          expect([...s.readers, ...s.relays].map((d) => d.state)).toEqual(Array(6).fill("open"));
        },
        { timeout: 5000 },
      );
    await allOpen();
    expect(gateway.status().mqtt).toMatchObject({ url, clientId: "accessgw-test-gw" });

    // Bruno (7654321, gym flex) at the gym: the Tasmota reader sends UID 0074CBB1 (hex) → 7654321.
    expect(gymReader.presentCard(7_654_321)).toBe(true);
    await vi.waitFor(
      () =>
        expect(onOff(gymRelay.history)).toEqual([
          [1, true],
          [1, false],
        ]),
      { timeout: 5000 },
    );
    // …then the studio, through the ESPHome-style JSON reader and a Shelly Plus 1.
    expect(studioReader.present(7_654_321)).toBe(true);
    await vi.waitFor(
      () =>
        expect(onOff(studioRelay.history)).toEqual([
          [0, true],
          [0, false],
        ]),
      {
        timeout: 5000,
      },
    );
    // Anna (1234567, 10 swims) at the pool's esp-rfid reader: a Shelly 1 (Gen1) relay/0.
    expect(poolReader.presentCard(1_234_567)).toBe(true);
    await vi.waitFor(
      () =>
        expect(onOff(poolRelay.history)).toEqual([
          [1, true],
          [1, false],
        ]),
      { timeout: 5000 },
    );

    // The broker goes away: the gateway reports it, and nothing crashes.
    await broker.stop();
    await vi.waitFor(
      () => {
        const s = gateway.status();
        expect(s.mqtt?.state).not.toBe("open");
        expect(s.readers.every((r) => r.state !== "open")).toBe(true);
      },
      { timeout: 5000 },
    );
    // It comes back: the gateway reconnects by itself and Bruno gets into the gym again (no deduction interval at the gym: a fresh "ok").
    await broker.restart();
    await allOpen();
    await vi.waitFor(() => expect(gymReader.connected).toBe(true), { timeout: 5000 });
    expect(gymReader.presentCard(7_654_321)).toBe(true);
    await vi.waitFor(() => expect(gymRelay.history).toHaveLength(4), { timeout: 5000 });

    expect(listEvents(t.store).map((e) => [e.readerId, e.decision, e.reason, e.relayFailed])).toEqual([
      ["gym-in", "grant", "ok", false],
      ["studio-in", "grant", "ok", false],
      ["pool-in", "grant", "ok", false],
      ["gym-in", "grant", "ok", false],
    ]);
    expect(gateway.status().totals).toMatchObject({ scans: 4, grants: 4, relayFailures: 0 });
    expect(gateway.status().mqtt?.reconnects).toBeGreaterThanOrEqual(1);
  });

  it("records relay_failed and refunds the credit when the MQTT relay never confirms the pulse", async ({
    store: t,
    broker,
    started,
    gateway: startGateway,
  }) => {
    importExamples(t.store);
    const poolReader = await started(new SimEspRfidReader({ url: broker.url, topic: "esp-rfid-2" }));
    // No device answers on cmnd/pool-door-2/… : the Tasmota relay never reports POWER1 ON.
    const config = GatewayConfig.parse({
      readers: [
        {
          id: "pool-in",
          driver: "mqtt-esp-rfid",
          topic: "esp-rfid-2",
          cardNumber: "decimal",
          area: "pool",
          direction: "in",
          door: "pool",
        },
      ],
      doors: [{ id: "pool", relay: "pool-relay", channel: 1, pulseMs: 300 }],
      relays: [{ id: "pool-relay", driver: "mqtt-tasmota", topic: "pool-door-2" }],
      mqtt: { url: broker.url },
    });
    const gateway = await startGateway({
      config,
      gatewayId: "gw-mqtt-2",
      clock: clockFrom(at("2027-03-22T10:00")),
    });
    await vi.waitFor(() => expect(gateway.status().readers[0]?.state).toBe("open"), { timeout: 5000 });

    expect(poolReader.presentCard(1_234_567)).toBe(true);
    await vi.waitFor(() => expect(gateway.status().totals.relayFailures).toBe(1), { timeout: 8000 });

    const [event] = listEvents(t.store);
    expect(event).toMatchObject({ decision: "grant", creditsDeducted: 1, relayFailed: true });
    // R16: the refund puts Anna's credit back.
    const refunds = readLedger(t.store, "mp-anna-swim")
      .map(({ amount, kind }) => ({ amount, kind }))
      .sort((a, b) => b.amount - a.amount);
    expect(refunds).toEqual([
      { amount: 1, kind: "usage" },
      { amount: -1, kind: "refund" },
    ]);
  });

  it("hands every MQTT relay the daemon's logger: a relay's warning reaches the daemon's log", async ({
    store: t,
    broker,
    started,
    gateway: startGateway,
    mqttClient,
  }) => {
    importExamples(t.store);
    const poolReader = await started(new SimEspRfidReader({ url: broker.url, topic: "esp-rfid-3" }));
    // A Shelly Gen1 that confirms "on" but never reports "off": the relay warns after the pulse.
    const shelly = await mqttClient();
    shelly.on("message", (_topic, payload) => {
      if (payload.toString() === "on") void shelly.publishAsync("shellies/shelly1-mute/relay/0", "on");
    });
    await shelly.subscribeAsync("shellies/shelly1-mute/relay/0/command", { qos: 1 });
    const config = GatewayConfig.parse({
      readers: [
        {
          id: "pool-in",
          driver: "mqtt-esp-rfid",
          topic: "esp-rfid-3",
          cardNumber: "decimal",
          area: "pool",
          direction: "in",
          door: "pool",
        },
      ],
      doors: [{ id: "pool", relay: "pool-relay", channel: 1, pulseMs: 200 }],
      relays: [{ id: "pool-relay", driver: "mqtt-shelly-gen1", device: "shelly1-mute" }],
      mqtt: { url: broker.url },
    });
    const { logger, lines: logs } = memoryLogger("info");
    const gateway = await startGateway({
      config,
      gatewayId: "gw-mqtt-3",
      logger,
      clock: clockFrom(at("2027-03-22T10:00")),
    });
    await vi.waitFor(() => expect(gateway.status().relays[0]?.state).toBe("open"), { timeout: 5000 });

    expect(poolReader.presentCard(1_234_567)).toBe(true);
    await vi.waitFor(
      () =>
        expect(logs).toContainEqual(
          expect.objectContaining({
            level: "warn",
            component: "relay",
            relayId: "pool-relay",
            channel: 1,
            msg: 'no "off" report after the pulse',
          }),
        ),
      { timeout: 8000 },
    );
  });
});

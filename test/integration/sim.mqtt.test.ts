import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { describe, expect, vi } from "vitest";
import { openSerialTransport } from "../../drivers/transport/serialTransport.js";
import { freePort } from "../../firmware-sim/mosquitto.js";
import type { RelayEvent } from "../../firmware-sim/simulator.js";
import { test } from "../harness/index.js";

/**
 * A client standing where the gateway would be, on the broker at `url`: every message it received, by
 * topic.
 */
const it = test.extend("watchAt", ({ defer }) => async (url: string, topics: string[]) => {
  const client: MqttClient = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  defer(() => client.endAsync());
  const seen = new Map<string, string[]>();
  client.on("message", (topic, payload) => seen.set(topic, [...(seen.get(topic) ?? []), payload.toString()]));
  if (topics.length > 0) await client.subscribeAsync(topics);
  return { client, seen };
});

const MQTT_DEVICES = (url: string) => `devices:
  - { id: gym-in, kind: tasmota, topic: gym-reader, channels: 0 }
  - { id: gym-relay, kind: tasmota, topic: gym-door-relay }
  - { id: studio-in, kind: mqtt-json-reader, topic: studio/reader/scan, field: data.uid }
  - { id: spa-in, kind: esp-rfid, topic: spa-reader }
  - { id: studio-relay, kind: shelly-gen2, device: shellyplus1-studio }
  - { id: spa-relay, kind: shelly-gen1, device: shelly1-spa }
broker: { url: "${url}" }
`;

describe("the simulator's MQTT devices", () => {
  it("publish cards as Tasmota, mqtt-json and esp-rfid readers do", async ({
    broker,
    watchAt,
    simulator,
  }) => {
    const sim = await simulator(MQTT_DEVICES(broker.url));
    const { seen } = await watchAt(broker.url, [
      "tele/gym-reader/SENSOR",
      "studio/reader/scan",
      "spa-reader/send",
    ]);
    expect(sim.present("gym-in", "9357203")).toBe(true);
    expect(sim.present("studio-in", "0007654321")).toBe(true);
    expect(sim.present("spa-in", "9357203")).toBe(true);
    await vi.waitFor(() => expect(seen.size).toBe(3));
    expect(JSON.parse(seen.get("tele/gym-reader/SENSOR")?.[0] ?? "")).toMatchObject({
      PN532: { UID: "008EC793" },
    });
    expect(JSON.parse(seen.get("studio/reader/scan")?.[0] ?? "")).toEqual({ data: { uid: "0007654321" } });
    expect(JSON.parse(seen.get("spa-reader/send")?.[0] ?? "")).toMatchObject({
      type: "access",
      uid: "8EC793",
    });
    expect(() => sim.present("gym-in", "ada")).toThrow(/gym-in: expected a card number/);
    expect(sim.brokerDescription).toBe(`external broker ${broker.url}`);
  });

  it("speak the sim.yaml device options: a Tasmota RC522 with a typed UID, SetOption123, esp-rfid 1.0.x, ESPHome text", async ({
    broker,
    watchAt,
    simulator,
  }) => {
    const sim = await simulator(`devices:
  - { id: rc, kind: tasmota, topic: rc-reader, channels: 0, sensor: RC522 }
  - { id: wg, kind: tasmota, topic: wg-reader, channels: 0, sensor: Wiegand, wiegandUid: bare-hex }
  - { id: old, kind: esp-rfid, topic: old-esp, layout: bare, module: rdm6300 }
  - { id: tag, kind: mqtt-json-reader, topic: esphome/tag, format: text }
broker: { url: "${broker.url}" }
`);
    const { seen } = await watchAt(broker.url, [
      "tele/rc-reader/SENSOR",
      "tele/wg-reader/SENSOR",
      "old-esp",
      "esphome/tag",
    ]);
    expect(sim.present("rc", "04A1B2C3")).toBe(true);
    expect(sim.present("wg", "3215576")).toBe(true);
    expect(sim.present("old", "9357203")).toBe(true);
    expect(sim.present("tag", "74-10-37-94")).toBe(true);
    await vi.waitFor(() => {
      expect(seen.get("tele/rc-reader/SENSOR")).toHaveLength(1);
      expect(seen.get("tele/wg-reader/SENSOR")).toHaveLength(1);
      expect(seen.get("old-esp")?.some((p) => p.includes('"access"'))).toBe(true);
      expect(seen.get("esphome/tag")).toHaveLength(1);
    });
    expect(JSON.parse(seen.get("tele/rc-reader/SENSOR")?.[0] ?? "")).toMatchObject({
      RC522: { UID: "04A1B2C3" },
    });
    expect(seen.get("tele/wg-reader/SENSOR")?.[0]).toContain('"UID":3110D8h');
    expect(seen.get("old-esp")?.find((p) => p.includes('"access"'))).toContain('"uid":"14008ec793"');
    expect(seen.get("esphome/tag")).toEqual(["74-10-37-94"]);
  });

  it("switch Tasmota, Shelly Gen2 and Gen1 relays on the gateway's commands, reported with their ids", async ({
    broker,
    watchAt,
    simulator,
  }) => {
    const sim = await simulator(MQTT_DEVICES(broker.url));
    const events: RelayEvent[] = [];
    sim.on("relay", (e) => events.push(e));
    const { client } = await watchAt(broker.url, []);
    await client.publishAsync("cmnd/gym-door-relay/POWER1", "ON");
    await client.publishAsync(
      "shellyplus1-studio/rpc",
      JSON.stringify({ id: 1, src: "gw", method: "Switch.Set", params: { id: 0, on: true } }),
    );
    await client.publishAsync("shellies/shelly1-spa/relay/0/command", "on");
    await vi.waitFor(() => expect(events).toHaveLength(3));
    expect(events.map((e) => [e.deviceId, e.channel, e.on]).sort()).toEqual([
      ["gym-relay", 1, true],
      ["spa-relay", 1, true],
      ["studio-relay", 0, true],
    ]);
    expect(sim.relayTable().filter((r) => r.on)).toHaveLength(3);
  });

  it("unplugs an MQTT device: its reads go nowhere until replug", async ({ broker, simulator }) => {
    const sim = await simulator(MQTT_DEVICES(broker.url));
    await sim.unplug("studio-in");
    expect(sim.list().find((d) => d.id === "studio-in")).toMatchObject({ plugged: false, connected: null });
    expect(sim.present("studio-in", "1")).toBe(false);
    await sim.replug("studio-in");
    expect(sim.present("studio-in", "1")).toBe(true);
  });

  it("runs its own broker when embedded: true, and says so", async ({ watchAt, simulator }) => {
    const port = await freePort();
    const url = `mqtt://127.0.0.1:${port}`;
    const sim = await simulator(
      `devices:\n  - { id: studio-in, kind: mqtt-json-reader, topic: scan }\nbroker: { url: "${url}", embedded: true }\n`,
    );
    expect(sim.brokerDescription).toBe(`embedded broker (aedes) on ${url}`);
    const { seen } = await watchAt(url, ["scan"]);
    sim.present("studio-in", "42");
    await vi.waitFor(() => expect(seen.get("scan")).toEqual(['{"uid":"42"}']));
  });
});

describe("a serial device exposed on a pty pair", () => {
  it("reaches the gateway's end through the real serial port, and unplug/replug keep the path", async ({
    folder: { dir },
    simulator,
    defer,
  }) => {
    const path = join(dir, "links", "pool-in");
    const sim = await simulator(
      `devices:\n  - { id: pool-in, kind: serial-line-reader, expose: { pty: "${path}" }, lineEnding: LF }\n`,
    );
    expect(sim.device("pool-in").where()).toBe(path);
    const read = async () => {
      const port = await openSerialTransport(path, path, 9600);
      defer(() => port.close());
      let text = "";
      port.on("data", (b) => {
        text += Buffer.from(b).toString();
      });
      return { port, text: () => text };
    };
    const first = await read();
    expect(sim.present("pool-in", "4215834")).toBe(true);
    await vi.waitFor(() => expect(first.text()).toBe("4215834\n"));
    await sim.unplug("pool-in");
    expect(sim.list()[0]?.plugged).toBe(false);
    await vi.waitFor(() => expect(first.port.isOpen).toBe(false));
    await sim.replug("pool-in");
    const second = await read();
    expect(sim.present("pool-in", "7654321")).toBe(true);
    await vi.waitFor(() => expect(second.text()).toBe("7654321\n"));
  });
});

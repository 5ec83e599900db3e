/**
 * A relay left ON (the daemon crashed mid-pulse) is put back into its resting state when the link
 * to the board opens, and again after every reconnect: serial boards on a real pseudo-terminal,
 * MQTT devices on a real Mosquitto once the broker connection is up.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Relay } from "../../config/gateway.js";
import { encodeLcus } from "../../drivers/codecs/lcus.js";
import { encodeWriteCoil } from "../../drivers/codecs/modbusRtu.js";
import { MqttConnection } from "../../drivers/mqtt/connection.js";
import { createRelay } from "../../drivers/relays/createRelay.js";
import type { RestingChannel } from "../../drivers/relays/relayDriver.js";
import { openTransport } from "../../drivers/transport/transport.js";
import { SimLcusBoard } from "../../firmware-sim/devices/lcusBoard.js";
import { SimModbusBoard } from "../../firmware-sim/devices/modbusBoard.js";
import { PtyLink, requireSocat } from "../../firmware-sim/devices/ptyLink.js";
import { SimShellyGen1 } from "../../firmware-sim/devices/shellyGen1.js";
import { SimShellyGen2 } from "../../firmware-sim/devices/shellyGen2.js";
import { SimTasmotaDevice } from "../../firmware-sim/devices/tasmotaDevice.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { silentLogger } from "../helpers/logs.js";
import { startBroker, type TestBroker } from "../helpers/mosquitto.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const OFF = (...channels: number[]): RestingChannel[] => channels.map((channel) => ({ channel, on: false }));

function started(config: Relay, resting: RestingChannel[], mqtt?: MqttConnection) {
  const relay = createRelay(config, {
    transportFactory: openTransport,
    scheduler: realScheduler,
    backoff: { baseMs: 20, factor: 2, capMs: 100, jitter: "none" },
    replyTimeoutMs: 500,
    logger: silentLogger(),
    restingStates: () => resting,
    gatewayId: "gw-resting",
    ...(mqtt === undefined ? {} : { mqtt }),
  });
  relay.start();
  cleanups.push(() => relay.stop());
  return relay;
}

async function ptyLink(): Promise<PtyLink> {
  const link = new PtyLink({ baudRate: 9600 });
  await link.start();
  cleanups.push(() => link.stop());
  return link;
}

describe("serial relay boards left ON, on a pseudo-terminal", () => {
  beforeAll(() => requireSocat());

  it("an LCUS board gets OFF for every door channel on open and again after a reconnect, and nothing else", async () => {
    const link = await ptyLink();
    const board = new SimLcusBoard({ link });
    board.start();
    cleanups.push(async () => board.stop());
    // Left ON by a crash: channels 1 and 2 (doors), and 3 (no door uses it).
    for (const ch of [1, 2, 3]) board.receive(encodeLcus(ch, true));

    const relay = started(
      { id: "b", driver: "lcus-serial", port: link.target, baudRate: 9600, frameGapMs: 100 },
      OFF(1, 2),
    );
    await vi.waitFor(() => expect([board.isOn(1), board.isOn(2)]).toEqual([false, false]), { timeout: 5000 });
    expect(board.isOn(3)).toBe(true);

    // On again (the board was power-cycled with the relays latched, say), then the cable comes out.
    board.receive(encodeLcus(1, true));
    await link.unplug();
    await vi.waitFor(() => expect(relay.health().state).not.toBe("open"), { timeout: 5000 });
    await link.replug();
    await vi.waitFor(() => expect(board.isOn(1)).toBe(false), { timeout: 5000 });
    expect(board.isOn(3)).toBe(true);
  });

  it("a Modbus board gets its door coils written OFF on open", async () => {
    const link = await ptyLink();
    const board = new SimModbusBoard({ link, unitId: 3 });
    board.start();
    cleanups.push(async () => board.stop());
    board.receive(encodeWriteCoil(3, 0, true));
    board.receive(encodeWriteCoil(3, 5, true));

    started({ id: "m", driver: "modbus-rtu", port: link.target, baudRate: 9600, unitId: 3 }, OFF(0));
    await vi.waitFor(() => expect(board.isOn(0)).toBe(false), { timeout: 5000 });
    expect(board.isOn(5)).toBe(true);
  });
});

describe("MQTT relays left ON, on a real broker", () => {
  let broker: TestBroker & { dispose(): Promise<void> };
  let conn: MqttConnection;
  beforeAll(async () => {
    broker = await startBroker();
    conn = new MqttConnection({
      config: { url: broker.url },
      gatewayId: "gw-resting",
      logger: silentLogger(),
      backoff: { baseMs: 50, factor: 2, capMs: 200, jitter: "none" },
    });
    conn.start();
    await vi.waitFor(() => expect(conn.isOpen()).toBe(true), { timeout: 5000 });
  });
  afterAll(async () => {
    await conn.stop();
    await broker.dispose();
  });

  async function device<T extends { start(): Promise<void>; stop(): Promise<void> }>(d: T): Promise<T> {
    await d.start();
    cleanups.push(() => d.stop());
    return d;
  }

  it("a Tasmota gets POWER OFF once the broker connection is up, and again after the broker restarts", async () => {
    const tasmota = await device(
      new SimTasmotaDevice({
        url: broker.url,
        topic: "rest-t",
        relays: 3,
        scheduler: realScheduler,
        reconnectMs: 100,
      }),
    );
    for (const ch of [1, 2, 3]) tasmota.receive(`cmnd/rest-t/POWER${ch}`, "ON");

    started({ id: "t", driver: "mqtt-tasmota", topic: "rest-t" }, OFF(1, 2), conn);
    await vi.waitFor(() => expect([tasmota.isOn(1), tasmota.isOn(2)]).toEqual([false, false]), {
      timeout: 5000,
    });
    expect(tasmota.isOn(3)).toBe(true);

    tasmota.receive("cmnd/rest-t/POWER2", "ON");
    await broker.stop();
    await vi.waitFor(() => expect(conn.isOpen()).toBe(false), { timeout: 5000 });
    await broker.restart();
    await vi.waitFor(() => expect(tasmota.connected && conn.isOpen()).toBe(true), { timeout: 10_000 });
    await vi.waitFor(() => expect(tasmota.isOn(2)).toBe(false), { timeout: 5000 });
    expect(tasmota.isOn(3)).toBe(true);
  });

  it("Shelly Gen2 and Gen1 relays get their door switches OFF once the broker connection is up", async () => {
    const gen2 = await device(
      new SimShellyGen2({ url: broker.url, device: "rest-g2", switches: 2, scheduler: realScheduler }),
    );
    const gen1 = await device(new SimShellyGen1({ url: broker.url, device: "rest-g1", relays: 2 }));
    gen2.receive(
      "rest-g2/rpc",
      JSON.stringify({ id: 1, src: "x", method: "Switch.Set", params: { id: 1, on: true } }),
    );
    gen1.receive("shellies/rest-g1/relay/0/command", "on");
    await vi.waitFor(() => expect([gen2.isOn(1), gen1.isOn(1)]).toEqual([true, true]));

    started({ id: "g2", driver: "mqtt-shelly-gen2", device: "rest-g2" }, OFF(1), conn);
    started({ id: "g1", driver: "mqtt-shelly-gen1", device: "rest-g1" }, OFF(1), conn);
    await vi.waitFor(() => expect([gen2.isOn(1), gen1.isOn(1)]).toEqual([false, false]), { timeout: 5000 });
  });
});

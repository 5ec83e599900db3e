/**
 * A relay left ON (the daemon crashed mid-pulse) is put back into its resting state when the link
 * to the board opens, and again after every reconnect: serial boards on a real pseudo-terminal,
 * MQTT devices on a real Mosquitto once the broker connection is up.
 */
import { beforeAll, describe, expect, vi } from "vitest";
import type { Relay } from "../../config/gateway.js";
import { encodeLcus } from "../../drivers/codecs/lcus.js";
import { encodeWriteCoil } from "../../drivers/codecs/modbusRtu.js";
import { MqttConnection } from "../../drivers/mqtt/connection.js";
import { createRelay } from "../../drivers/relays/createRelay.js";
import type { RestingChannel } from "../../drivers/relays/relayDriver.js";
import { openTransport } from "../../drivers/transport/transport.js";
import { SimLcusBoard } from "../../firmware-sim/devices/lcusBoard.js";
import { SimModbusBoard } from "../../firmware-sim/devices/modbusBoard.js";
import { requireSocat } from "../../firmware-sim/devices/ptyLink.js";
import { SimShellyGen1 } from "../../firmware-sim/devices/shellyGen1.js";
import { SimShellyGen2 } from "../../firmware-sim/devices/shellyGen2.js";
import { SimTasmotaDevice } from "../../firmware-sim/devices/tasmotaDevice.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { type Defer, test } from "../harness/index.js";
import { silentLogger } from "../helpers/logs.js";

const OFF = (...channels: number[]): RestingChannel[] => channels.map((channel) => ({ channel, on: false }));

/**
 * A started relay driver that rests `resting` on every open (mqtt ones on `mqtt`), stopped after the
 * test.
 */
function restingRelay(defer: Defer, config: Relay, resting: RestingChannel[], mqtt?: MqttConnection) {
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
  defer(() => relay.stop());
  return relay;
}

const it = test
  .extend(
    "restingRelay",
    ({ defer }) =>
      (config: Relay, resting: RestingChannel[], mqtt?: MqttConnection) =>
        restingRelay(defer, config, resting, mqtt),
  )
  /** The gateway's broker connection for the MQTT relays of this file. */
  .extend("conn", { scope: "file" }, async ({ broker }, { onCleanup }) => {
    const conn = new MqttConnection({
      config: { url: broker.url },
      gatewayId: "gw-resting",
      logger: silentLogger(),
      backoff: { baseMs: 50, factor: 2, capMs: 200, jitter: "none" },
    });
    conn.start();
    onCleanup(() => conn.stop());
    await vi.waitFor(() => expect(conn.isOpen()).toBe(true), { timeout: 5000 });
    return conn;
  });

describe("serial relay boards left ON, on a pseudo-terminal", () => {
  beforeAll(() => requireSocat());

  it("an LCUS board gets OFF for every door channel on open and again after a reconnect, and nothing else", async ({
    defer,
    restingRelay,
    ptyLink,
  }) => {
    const link = await ptyLink();
    const board = new SimLcusBoard({ link });
    board.start();
    defer(async () => board.stop());
    // Left ON by a crash: channels 1 and 2 (doors), and 3 (no door uses it).
    for (const ch of [1, 2, 3]) board.receive(encodeLcus(ch, true));

    const relay = restingRelay(
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

  it("a Modbus board gets its door coils written OFF on open", async ({ defer, restingRelay, ptyLink }) => {
    const link = await ptyLink();
    const board = new SimModbusBoard({ link, unitId: 3 });
    board.start();
    defer(async () => board.stop());
    board.receive(encodeWriteCoil(3, 0, true));
    board.receive(encodeWriteCoil(3, 5, true));

    restingRelay({ id: "m", driver: "modbus-rtu", port: link.target, baudRate: 9600, unitId: 3 }, OFF(0));
    await vi.waitFor(() => expect(board.isOn(0)).toBe(false), { timeout: 5000 });
    expect(board.isOn(5)).toBe(true);
  });
});

describe("MQTT relays left ON, on a real broker", () => {
  it("a Tasmota gets POWER OFF once the broker connection is up, and again after the broker restarts", async ({
    broker,
    restingRelay,
    started,
    conn,
  }) => {
    const tasmota = await started(
      new SimTasmotaDevice({
        url: broker.url,
        topic: "rest-t",
        relays: 3,
        scheduler: realScheduler,
        reconnectMs: 100,
      }),
    );
    for (const ch of [1, 2, 3]) tasmota.receive(`cmnd/rest-t/POWER${ch}`, "ON");

    restingRelay({ id: "t", driver: "mqtt-tasmota", topic: "rest-t" }, OFF(1, 2), conn);
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

  it("Shelly Gen2 and Gen1 relays get their door switches OFF once the broker connection is up", async ({
    conn,
    broker,
    restingRelay,
    started,
  }) => {
    const gen2 = await started(
      new SimShellyGen2({ url: broker.url, device: "rest-g2", switches: 2, scheduler: realScheduler }),
    );
    const gen1 = await started(new SimShellyGen1({ url: broker.url, device: "rest-g1", relays: 2 }));
    gen2.receive(
      "rest-g2/rpc",
      JSON.stringify({ id: 1, src: "x", method: "Switch.Set", params: { id: 1, on: true } }),
    );
    gen1.receive("shellies/rest-g1/relay/0/command", "on");
    await vi.waitFor(() => expect([gen2.isOn(1), gen1.isOn(1)]).toEqual([true, true]));

    restingRelay({ id: "g2", driver: "mqtt-shelly-gen2", device: "rest-g2" }, OFF(1), conn);
    restingRelay({ id: "g1", driver: "mqtt-shelly-gen1", device: "rest-g1" }, OFF(1), conn);
    await vi.waitFor(() => expect([gen2.isOn(1), gen1.isOn(1)]).toEqual([false, false]), { timeout: 5000 });
  });
});

describe("D3, D8: a channel held on or off", () => {
  beforeAll(() => requireSocat());

  it("D3: an LCUS channel held on stays on until held off; D8: a hold while the board is unreachable fails at once", async ({
    defer,
    restingRelay,
    ptyLink,
  }) => {
    const link = await ptyLink();
    const board = new SimLcusBoard({ link });
    board.start();
    defer(async () => board.stop());
    const relay = restingRelay(
      { id: "b", driver: "lcus-serial", port: link.target, baudRate: 9600, frameGapMs: 100 },
      OFF(1),
    );
    await vi.waitFor(() => expect(relay.health().state).toBe("open"), { timeout: 5000 });

    await relay.hold(1, true);
    await vi.waitFor(() => expect(board.isOn(1)).toBe(true), { timeout: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(board.isOn(1)).toBe(true);
    await relay.hold(1, false);
    await vi.waitFor(() => expect(board.isOn(1)).toBe(false), { timeout: 5000 });

    await link.unplug();
    await vi.waitFor(() => expect(relay.health().state).not.toBe("open"), { timeout: 5000 });
    await expect(relay.hold(1, true)).rejects.toMatchObject({
      code: "RELAY_FAILED",
      failure: "transport_down",
    });
  });

  it("D3: a Tasmota channel held on is not switched off by the device (PulseTime cleared)", async ({
    broker,
    restingRelay,
    started,
    conn,
  }) => {
    const tasmota = await started(
      new SimTasmotaDevice({ url: broker.url, topic: "hold-t", relays: 2, scheduler: realScheduler }),
    );
    const relay = restingRelay({ id: "t", driver: "mqtt-tasmota", topic: "hold-t" }, OFF(1), conn);
    await relay.pulse(1, 100);
    await relay.hold(1, true);
    await vi.waitFor(() => expect(tasmota.isOn(1)).toBe(true), { timeout: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(tasmota.isOn(1)).toBe(true);
  });
});

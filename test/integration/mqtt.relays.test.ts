import type { MqttClient } from "mqtt";
import { describe, expect } from "vitest";
import type { Relay } from "../../config/gateway.js";
import { encodeRpcResponse, parseSwitchSetRequest } from "../../drivers/codecs/shelly.js";
import { parsePulseTimePayload } from "../../drivers/codecs/tasmotaRelay.js";
import { MqttConnection } from "../../drivers/mqtt/connection.js";
import { createRelay } from "../../drivers/relays/createRelay.js";
import { RelayError } from "../../drivers/relays/errors.js";
import { ShellyGen1Relay, ShellyGen2Relay, TasmotaRelay } from "../../drivers/relays/mqttRelays.js";
import { openTransport } from "../../drivers/transport/transport.js";
import { SimTasmotaDevice } from "../../firmware-sim/devices/tasmotaDevice.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { type Defer, test } from "../harness/index.js";
import { silentLogger } from "../helpers/logs.js";
import { reaches } from "../helpers/mqttHealth.js";

type Connect = () => Promise<MqttClient>;

const it = test
  /** The gateway's one broker connection, shared by the file's relays as in the daemon. */
  .extend("conn", { scope: "file" }, async ({ broker }, { onCleanup }) => {
    const conn = new MqttConnection({
      logger: silentLogger(),
      config: { url: broker.url },
      gatewayId: "gw-relays",
      backoff: { baseMs: 50, factor: 2, capMs: 200, jitter: "none" },
    });
    conn.start();
    onCleanup(() => conn.stop());
    await reaches(conn, "open");
    return conn;
  })
  .extend(
    "relay",
    ({ conn, defer }) =>
      (config: Relay, extra?: { replyTimeoutMs?: number; gatewayId?: string }) =>
        relay(conn, defer, config, extra),
  )
  .extend(
    "fakeTasmota",
    ({ mqttClient }) =>
      (topic: string, mode?: TasmotaMode) =>
        fakeTasmota(mqttClient, topic, mode),
  )
  .extend(
    "fakeGen2",
    ({ mqttClient }) =>
      (device: string, mode?: "ok" | "error" | "silent") =>
        fakeGen2(mqttClient, device, mode),
  )
  .extend(
    "fakeGen1",
    ({ mqttClient }) =>
      (id: string, silent?: boolean) =>
        fakeGen1(mqttClient, id, silent),
  );

/** A started relay driver on the shared connection, subscribed before the test pulses. */
async function relay(
  conn: MqttConnection,
  defer: Defer,
  config: Relay,
  extra: { replyTimeoutMs?: number; gatewayId?: string } = {},
) {
  const driver = createRelay(config, {
    restingStates: () => [],
    logger: silentLogger(),
    transportFactory: openTransport,
    scheduler: realScheduler,
    mqtt: conn,
    gatewayId: extra.gatewayId ?? "gw-relays",
    replyTimeoutMs: extra.replyTimeoutMs ?? 1000,
  });
  driver.start();
  defer(() => driver.stop());
  await conn.whenSubscribed();
  return driver;
}

/** A plain MQTT client playing a device: logs every command it receives. */
async function fakeDevice(
  connect: Connect,
  filter: string,
  answer: (client: MqttClient, topic: string, payload: string) => void,
) {
  const client = await connect();
  const log: string[] = [];
  client.on("message", (topic, payload) => {
    log.push(`${topic} ${payload.toString()}`);
    answer(client, topic, payload.toString());
  });
  await client.subscribeAsync(filter, { qos: 1 });
  return { client, log };
}

type TasmotaMode = "normal" | "silent" | "single-relay" | "no-off";

/** Tasmota: honours PulseTime<ch>, answers POWER<ch> ON on stat/…, switches itself off; flags overlaps. */
async function fakeTasmota(connect: Connect, topic: string, mode: TasmotaMode = "normal") {
  const pulseMs = new Map<string, number>();
  const on = new Set<string>();
  let overlaps = 0;
  const device = await fakeDevice(connect, `cmnd/${topic}/#`, (client, t, payload) => {
    const [, , command = ""] = t.split("/");
    const pt = /^PulseTime(\d+)$/.exec(command);
    if (pt) {
      const parsed = parsePulseTimePayload(payload);
      if (parsed.ok) pulseMs.set(pt[1] ?? "", parsed.ms);
      return;
    }
    const power = /^POWER(\d+)$/.exec(command);
    if (!power || mode === "silent") return;
    const ch = power[1] ?? "";
    const stat = mode === "single-relay" ? `stat/${topic}/POWER` : `stat/${topic}/POWER${ch}`;
    if (payload === "OFF") {
      on.delete(ch);
      void client.publishAsync(stat, "OFF");
      return;
    }
    if (on.has(ch)) overlaps++;
    on.add(ch);
    void client.publishAsync(stat, "ON");
    if (mode === "no-off") return;
    setTimeout(() => {
      on.delete(ch);
      void client.publishAsync(stat, "OFF");
    }, pulseMs.get(ch) ?? 0);
  });
  return { ...device, overlaps: () => overlaps };
}

async function failureOf(p: Promise<unknown>): Promise<RelayError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RelayError);
  return err as RelayError;
}

describe("mqtt-tasmota relay", () => {
  it("sets PulseTime once per (channel, duration), switches POWER<ch> ON and resolves after the device's OFF", async ({
    relay,
    fakeTasmota,
  }) => {
    const dev = await fakeTasmota("door-a");
    const r = await relay({ id: "t1", driver: "mqtt-tasmota", topic: "door-a" });
    expect(r).toBeInstanceOf(TasmotaRelay);
    await r.pulse(1, 300);
    await r.pulse(1, 300);
    await r.pulse(1, 500);
    await r.pulse(2, 100);
    expect(dev.log).toEqual([
      "cmnd/door-a/PulseTime1 3",
      "cmnd/door-a/POWER1 ON",
      "cmnd/door-a/POWER1 ON",
      "cmnd/door-a/PulseTime1 5",
      "cmnd/door-a/POWER1 ON",
      "cmnd/door-a/PulseTime2 1",
      "cmnd/door-a/POWER2 ON",
    ]);
    expect(r.counters()).toMatchObject({ pulses: 4, completed: 4, failed: 0, inFlight: 0 });
  });

  it("never overlaps pulses on one channel: the next ON goes out after the device switched off", async ({
    relay,
    fakeTasmota,
  }) => {
    const dev = await fakeTasmota("door-b");
    const r = await relay({ id: "t2", driver: "mqtt-tasmota", topic: "door-b" });
    const pulses = [r.pulse(1, 200), r.pulse(1, 200), r.pulse(1, 200)];
    expect(r.counters().inFlight).toBe(3);
    await Promise.all(pulses);
    expect(dev.overlaps()).toBe(0);
    expect(dev.log.filter((l) => l.endsWith("POWER1 ON"))).toHaveLength(3);
  });

  it("accepts the unindexed stat/<topic>/POWER of a single-relay device for channel 1", async ({
    relay,
    fakeTasmota,
  }) => {
    await fakeTasmota("door-c", "single-relay");
    const r = await relay({ id: "t3", driver: "mqtt-tasmota", topic: "door-c" });
    await expect(r.pulse(1, 100)).resolves.toBeUndefined();
  });

  it("fails with timeout when the device does not confirm ON, and sends OFF to be safe", async ({
    relay,
    fakeTasmota,
  }) => {
    const dev = await fakeTasmota("door-d", "silent");
    const r = await relay({ id: "t4", driver: "mqtt-tasmota", topic: "door-d" }, { replyTimeoutMs: 300 });
    const err = await failureOf(r.pulse(3, 200));
    expect(err).toMatchObject({ code: "RELAY_FAILED", failure: "timeout", relayId: "t4", channel: 3 });
    expect(err.message).toContain("stat/door-d/POWER3 ON");
    expect(r.counters()).toMatchObject({ pulses: 1, failed: 1, timeouts: 1 });
    await expect.poll(() => dev.log).toContain("cmnd/door-d/POWER3 OFF");
  });

  it("sends OFF itself and still resolves when the device never reports OFF", async ({
    relay,
    fakeTasmota,
  }) => {
    const dev = await fakeTasmota("door-e", "no-off");
    const r = await relay({ id: "t5", driver: "mqtt-tasmota", topic: "door-e" }, { replyTimeoutMs: 500 });
    await r.pulse(1, 100);
    await expect.poll(() => dev.log.at(-1)).toBe("cmnd/door-e/POWER1 OFF");
  });

  it("pulses a (simulated) Tasmota whose StateText reports AUF/ZU once the relay config names those words", async ({
    broker,
    defer,
    relay,
  }) => {
    const device = new SimTasmotaDevice({
      url: broker.url,
      topic: "door-words",
      scheduler: realScheduler,
      stateText: { off: "ZU", on: "AUF" },
    });
    await device.start();
    defer(() => device.stop());
    const r = await relay({
      id: "t7",
      driver: "mqtt-tasmota",
      topic: "door-words",
      stateText: { off: "ZU", on: "AUF" },
    });
    await r.pulse(1, 200);
    expect(device.history.map((c) => c.on)).toEqual([true, false]);
    expect(r.counters()).toMatchObject({ completed: 1, timeouts: 0 });
  });

  it.for([0, 33, 1.5])("refuses channel %s with bad_channel", async (channel, { relay }) => {
    const r = await relay({ id: "t6", driver: "mqtt-tasmota", topic: "door-f" });
    expect(await failureOf(r.pulse(channel, 100))).toMatchObject({ failure: "bad_channel" });
    expect(await failureOf(r.pulse(1, 0))).toMatchObject({ failure: "bad_channel" });
  });
});

/** Shelly Gen2: answers Switch.Set on <src>/rpc with a result, an error, or nothing. */
async function fakeGen2(connect: Connect, device: string, mode: "ok" | "error" | "silent" = "ok") {
  return fakeDevice(connect, `${device}/rpc`, (client, _topic, payload) => {
    const parsed = parseSwitchSetRequest(payload);
    if (!parsed.ok || mode === "silent") return;
    const outcome =
      mode === "error"
        ? { error: { code: -105, message: "Argument 'id', value 7 not found!" } }
        : { result: { was_on: false } };
    const reply = encodeRpcResponse(parsed.request, device, outcome);
    void client.publishAsync(reply.topic, reply.payload);
  });
}

describe("mqtt-shelly-gen2 relay", () => {
  it("sends Switch.Set with toggle_after to <device>/rpc and resolves on the matching reply", async ({
    relay,
    fakeGen2,
  }) => {
    const dev = await fakeGen2("shellyplus1-a1");
    const r = await relay({ id: "g1", driver: "mqtt-shelly-gen2", device: "shellyplus1-a1" });
    expect(r).toBeInstanceOf(ShellyGen2Relay);
    await r.pulse(0, 250);
    expect(dev.log).toHaveLength(1);
    const [topic, json] = (dev.log[0] ?? "").split(" ");
    expect(topic).toBe("shellyplus1-a1/rpc");
    const request = JSON.parse(json ?? "") as { id: number };
    expect(json).toBe(
      `{"id":${request.id},"src":"gw-relays","method":"Switch.Set","params":{"id":0,"on":true,"toggle_after":0.25}}`,
    );
    expect(r.counters()).toMatchObject({ pulses: 1, completed: 1 });
  });

  it("answers on a topic-safe src made from the gateway id", async ({ relay, fakeGen2 }) => {
    const dev = await fakeGen2("shellyplus1-a2");
    const r = await relay(
      { id: "g2", driver: "mqtt-shelly-gen2", device: "shellyplus1-a2" },
      { gatewayId: "gw/rome 1" },
    );
    await r.pulse(1, 100);
    expect(dev.log[0]).toContain('"src":"gw-rome-1"');
  });

  it("fails with exception on an error reply", async ({ relay, fakeGen2 }) => {
    await fakeGen2("shellyplus1-a3", "error");
    const r = await relay({ id: "g3", driver: "mqtt-shelly-gen2", device: "shellyplus1-a3" });
    const err = await failureOf(r.pulse(7, 100));
    expect(err).toMatchObject({ failure: "exception", relayId: "g3", channel: 7 });
    expect(err.message).toContain("-105");
    expect(r.counters()).toMatchObject({ failed: 1, exceptions: 1 });
  });

  it("fails with timeout when no reply comes", async ({ relay, fakeGen2 }) => {
    await fakeGen2("shellyplus1-a4", "silent");
    const r = await relay(
      { id: "g4", driver: "mqtt-shelly-gen2", device: "shellyplus1-a4" },
      { replyTimeoutMs: 200 },
    );
    expect(await failureOf(r.pulse(0, 100))).toMatchObject({ failure: "timeout" });
  });

  it("keeps two devices' replies apart on the shared reply topic (ids are unique per connection)", async ({
    relay,
    fakeGen2,
  }) => {
    await fakeGen2("shellyplus1-b1");
    await fakeGen2("shellyplus1-b2", "error");
    const ok = await relay({ id: "gb1", driver: "mqtt-shelly-gen2", device: "shellyplus1-b1" });
    const bad = await relay({ id: "gb2", driver: "mqtt-shelly-gen2", device: "shellyplus1-b2" });
    const [a, b] = await Promise.allSettled([ok.pulse(0, 100), bad.pulse(0, 100)]);
    expect(a.status).toBe("fulfilled");
    expect(b).toMatchObject({ status: "rejected", reason: { failure: "exception", relayId: "gb2" } });
  });

  it.for([-1, 0.5])("refuses switch id %s with bad_channel", async (channel, { relay }) => {
    const r = await relay({ id: "g5", driver: "mqtt-shelly-gen2", device: "shellyplus1-a5" });
    expect(await failureOf(r.pulse(channel, 100))).toMatchObject({ failure: "bad_channel" });
  });
});

/** Shelly Gen1: reports every command's new state on shellies/<id>/relay/<n>. */
async function fakeGen1(connect: Connect, id: string, silent = false) {
  return fakeDevice(connect, `shellies/${id}/relay/+/command`, (client, topic, payload) => {
    if (silent) return;
    void client.publishAsync(topic.replace(/\/command$/, ""), payload);
  });
}

describe("mqtt-shelly-gen1 relay", () => {
  it("sends on to relay/<ch-1>/command, waits for the on state, then sends off after the pulse", async ({
    relay,
    fakeGen1,
  }) => {
    const dev = await fakeGen1("shelly1-aa");
    const r = await relay({ id: "s1", driver: "mqtt-shelly-gen1", device: "shelly1-aa" });
    expect(r).toBeInstanceOf(ShellyGen1Relay);
    await r.pulse(1, 150);
    await r.pulse(2, 150);
    expect(dev.log).toEqual([
      "shellies/shelly1-aa/relay/0/command on",
      "shellies/shelly1-aa/relay/0/command off",
      "shellies/shelly1-aa/relay/1/command on",
      "shellies/shelly1-aa/relay/1/command off",
    ]);
  });

  it("fails with timeout when the on state never comes, and switches off to be safe", async ({
    relay,
    fakeGen1,
  }) => {
    const dev = await fakeGen1("shelly1-bb", true);
    const r = await relay(
      { id: "s2", driver: "mqtt-shelly-gen1", device: "shelly1-bb" },
      { replyTimeoutMs: 200 },
    );
    expect(await failureOf(r.pulse(1, 100))).toMatchObject({ failure: "timeout", channel: 1 });
    await expect
      .poll(() => dev.log)
      .toEqual(["shellies/shelly1-bb/relay/0/command on", "shellies/shelly1-bb/relay/0/command off"]);
  });

  it("refuses channel 0 with bad_channel (channel 1 is relay/0)", async ({ relay }) => {
    const r = await relay({ id: "s3", driver: "mqtt-shelly-gen1", device: "shelly1-cc" });
    expect(await failureOf(r.pulse(0, 100))).toMatchObject({ failure: "bad_channel" });
  });
});

describe("MQTT relays without a broker", () => {
  it("refuse a pulse before start() with stopped", async ({ conn }) => {
    const r = createRelay(
      { id: "idle", driver: "mqtt-tasmota", topic: "idle" },
      {
        restingStates: () => [],
        logger: silentLogger(),
        transportFactory: openTransport,
        scheduler: realScheduler,
        mqtt: conn,
      },
    );
    expect(await failureOf(r.pulse(1, 100))).toMatchObject({ failure: "stopped" });
  });

  it("throw RELAY_UNSUPPORTED naming the relay when the mqtt: section is missing", () => {
    expect(() =>
      createRelay(
        { id: "lonely", driver: "mqtt-shelly-gen1", device: "x" },
        {
          restingStates: () => [],
          logger: silentLogger(),
          transportFactory: openTransport,
          scheduler: realScheduler,
        },
      ),
    ).toThrow(/relay lonely: .*mqtt: section/);
  });

  it("fail at once with transport_down while the broker is down, report it, and pulse again once it is back", async ({
    broker,
    relay,
    fakeTasmota,
    conn,
  }) => {
    await fakeTasmota("door-z");
    const r = await relay({ id: "tz", driver: "mqtt-tasmota", topic: "door-z" }, { replyTimeoutMs: 60_000 });
    const states: string[] = [];
    r.on("state", (h) => states.push(h.state));
    await r.pulse(1, 100);

    await broker.stop();
    await expect.poll(() => r.health().state).toBe("waiting");
    const err = await failureOf(r.pulse(1, 100));
    expect(err).toMatchObject({ failure: "transport_down", relayId: "tz" });
    expect(r.health().lastError).toBeInstanceOf(Error);

    await broker.restart();
    await reaches(conn, "open");
    await conn.whenSubscribed();
    // The fake device's own client does not reconnect: start a new one, as a rebooted device would.
    const dev = await fakeTasmota("door-z");
    await r.pulse(1, 100);
    // After a reconnect PulseTime is sent again, in case the device was reset meanwhile.
    expect(dev.log).toEqual(["cmnd/door-z/PulseTime1 1", "cmnd/door-z/POWER1 ON"]);
    expect(states).toContain("waiting");
    expect(states.at(-1)).toBe("open");
  });
});

import { describe, expect } from "vitest";
import { MqttConnection } from "../../drivers/mqtt/connection.js";
import type { MqttMessage } from "../../drivers/mqtt/mqttTypes.js";
import { type Defer, test } from "../harness/index.js";
import { silentLogger } from "../helpers/logs.js";
import type { TestBroker } from "../helpers/mosquitto.js";
import { reaches } from "../helpers/mqttHealth.js";

const fastBackoff = { baseMs: 50, factor: 2, capMs: 200, jitter: "none" as const };

type ConnectionOptions = Partial<ConstructorParameters<typeof MqttConnection>[0]>;

/** A connection to the file's broker as gw-test with a fast backoff, stopped after the test. */
function connection(broker: TestBroker, defer: Defer, extra: ConnectionOptions = {}): MqttConnection {
  const c = new MqttConnection({
    logger: silentLogger(),
    config: { url: broker.url },
    gatewayId: "gw-test",
    backoff: fastBackoff,
    ...extra,
  });
  defer(() => c.stop());
  return c;
}

const it = test.extend(
  "connection",
  ({ broker, defer }) =>
    (extra?: ConnectionOptions) =>
      connection(broker, defer, extra),
);

/** Collects messages and lets a test wait until a number of them arrived. */
function collector() {
  const got: MqttMessage[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  return {
    got,
    handler: (m: MqttMessage) => {
      got.push(m);
      for (const w of [...waiters]) if (got.length >= w.n) w.resolve();
    },
    count: (n: number) =>
      got.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve })),
  };
}

describe("MqttConnection", () => {
  it("is idle until start(), then connects with client id accessgw-<gatewayId> and reports open", async ({
    connection,
  }) => {
    const c = connection();
    const states: string[] = [];
    c.on("state", (h) => states.push(h.state));
    expect(c.health().state).toBe("connecting");
    expect(c.isOpen()).toBe(false);
    expect(c.clientId).toBe("accessgw-gw-test");
    c.start();
    const open = await reaches(c, "open");
    expect(open.lastError).toBeUndefined();
    expect(open.attempts).toBe(0);
    expect(states).toEqual(["connecting", "open"]);
    expect(c.isOpen()).toBe(true);
  });

  it("uses the configured client id", async ({ broker, connection }) => {
    const c = connection({ config: { url: broker.url, clientId: "door-box-7" } });
    c.start();
    await reaches(c, "open");
    expect(c.clientId).toBe("door-box-7");
  });

  it("routes one message to every handler whose filter matches, including + and #", async ({
    connection,
    mqttClient,
  }) => {
    const c = connection();
    c.start();
    await reaches(c, "open");
    const exact = collector();
    const plus = collector();
    const hash = collector();
    const other = collector();
    c.subscribe("site/door-1/state", exact.handler);
    c.subscribe("site/+/state", plus.handler);
    c.subscribe("site/#", hash.handler);
    c.subscribe("elsewhere/#", other.handler);
    await c.whenSubscribed();
    const peer = await mqttClient();
    await peer.publishAsync("site/door-1/state", "one");
    await peer.publishAsync("site/door-2/state", "two");
    await peer.publishAsync("site/door-2/extra/deep", "three");
    await hash.count(3);
    await plus.count(2);
    expect(exact.got.map((m) => m.payload.toString())).toEqual(["one"]);
    expect(plus.got.map((m) => m.topic)).toEqual(["site/door-1/state", "site/door-2/state"]);
    expect(hash.got.map((m) => m.payload.toString())).toEqual(["one", "two", "three"]);
    expect(other.got).toEqual([]);
    expect(c.counters().messagesIn).toBe(3);
  });

  it("stops calling a handler once unsubscribed, while others on the same filter go on", async ({
    connection,
    mqttClient,
  }) => {
    const c = connection();
    c.start();
    await reaches(c, "open");
    const first = collector();
    const second = collector();
    const offFirst = c.subscribe("shared/topic", first.handler);
    c.subscribe("shared/topic", second.handler);
    await c.whenSubscribed();
    const peer = await mqttClient();
    await peer.publishAsync("shared/topic", "a");
    await first.count(1);
    await second.count(1);
    offFirst();
    offFirst();
    await peer.publishAsync("shared/topic", "b");
    await second.count(2);
    expect(first.got.map((m) => m.payload.toString())).toEqual(["a"]);
    expect(second.got.map((m) => m.payload.toString())).toEqual(["a", "b"]);
  });

  it("publishes with qos and retain, and counts messages out", async ({ connection, mqttClient }) => {
    const c = connection();
    c.start();
    await reaches(c, "open");
    await c.publish("retained/x", "kept", { qos: 1, retain: true });
    await c.publish("plain/x", new Uint8Array([0x4f, 0x4b]));
    const peer = await mqttClient();
    const got = new Promise<{ payload: string; retain: boolean }>((resolve) =>
      peer.once("message", (_t, p, packet) => resolve({ payload: p.toString(), retain: packet.retain })),
    );
    await peer.subscribeAsync("retained/x");
    expect(await got).toEqual({ payload: "kept", retain: true });
    expect(c.counters().messagesOut).toBe(2);
    await c.publish("retained/x", "", { retain: true });
  });

  it("contains a handler that throws: counted, the others still run, the connection stays open", async ({
    connection,
    mqttClient,
  }) => {
    const c = connection();
    c.start();
    await reaches(c, "open");
    const after = collector();
    c.subscribe("boom/#", () => {
      throw new Error("handler bug");
    });
    c.subscribe("boom/#", (m) => (m.payload.toString() === "bad" ? "rejected" : undefined));
    c.subscribe("boom/#", after.handler);
    await c.whenSubscribed();
    const peer = await mqttClient();
    await peer.publishAsync("boom/1", "bad");
    await peer.publishAsync("boom/2", "good");
    await after.count(2);
    expect(c.counters()).toMatchObject({ messagesIn: 2, handlerErrors: 2, badPayloads: 1 });
    expect(c.isOpen()).toBe(true);
  });

  it("refuses bad topics with MQTT_BAD_TOPIC", async ({ connection }) => {
    const c = connection();
    expect(() => c.subscribe("a/#/b", () => {})).toThrow(expect.objectContaining({ code: "MQTT_BAD_TOPIC" }));
    await expect(c.publish("cmnd/+/POWER", "ON")).rejects.toMatchObject({ code: "MQTT_BAD_TOPIC" });
  });

  it("rejects a publish at once with MQTT_NOT_CONNECTED before start()", async ({ connection }) => {
    const c = connection();
    await expect(c.publish("cmnd/door/POWER1", "ON")).rejects.toMatchObject({
      name: "MqttError",
      code: "MQTT_NOT_CONNECTED",
    });
    expect(c.counters().publishFailures).toBe(1);
  });

  it("goes to waiting when the broker stops, refuses publishes, and resubscribes when it is back", async ({
    broker,
    connection,
    mqttClient,
  }) => {
    const c = connection();
    c.start();
    await reaches(c, "open");
    const got = collector();
    c.subscribe("after/restart", got.handler);
    await c.whenSubscribed();

    const waiting = reaches(c, "waiting");
    await broker.stop();
    const down = await waiting;
    expect(down.lastError).toBeInstanceOf(Error);
    expect(down.retryInMs).toBeGreaterThanOrEqual(0);
    await expect(c.publish("cmnd/door/POWER1", "ON")).rejects.toMatchObject({ code: "MQTT_NOT_CONNECTED" });

    const open = reaches(c, "open");
    await broker.restart();
    await open;
    await c.whenSubscribed();
    const peer = await mqttClient();
    await peer.publishAsync("after/restart", "hello again");
    await got.count(1);
    expect(got.got[0]?.payload.toString()).toBe("hello again");
    expect(c.counters().reconnects).toBe(1);
  });

  it("keeps retrying while the broker is down from the start, and connects when it appears", async ({
    broker,
    connection,
  }) => {
    await broker.stop();
    const c = connection();
    const seen = new Set<string>();
    c.on("state", (h) => seen.add(h.state));
    c.start();
    const waiting = await reaches(c, "waiting");
    expect(waiting.lastError?.message).toMatch(/ECONNREFUSED|closed/);
    const open = reaches(c, "open");
    await broker.restart();
    await open;
    expect([...seen]).toEqual(["connecting", "waiting", "open"]);
  });

  it("stops: state stopped, publishes refused with MQTT_STOPPED, no handler called after", async ({
    connection,
    mqttClient,
  }) => {
    const c = connection();
    c.start();
    await reaches(c, "open");
    const got = collector();
    c.subscribe("late/#", got.handler);
    await c.whenSubscribed();
    await c.stop();
    expect(c.health().state).toBe("stopped");
    await expect(c.publish("late/x", "1")).rejects.toMatchObject({ code: "MQTT_STOPPED" });
    const peer = await mqttClient();
    await peer.publishAsync("late/x", "1");
    // A message published after stop() on the same broker reaches a fresh subscriber but not us.
    const probe = await mqttClient();
    await probe.subscribeAsync("late/#");
    const seen = new Promise<void>((resolve) => probe.once("message", () => resolve()));
    await peer.publishAsync("late/x", "2");
    await seen;
    expect(got.got).toEqual([]);
    c.start();
    expect(c.health().state).toBe("stopped");
  });

  it("hands out distinct request ids", ({ connection }) => {
    const c = connection();
    const ids = new Set([c.nextRequestId(), c.nextRequestId(), c.nextRequestId()]);
    expect(ids.size).toBe(3);
  });
});

/**
 * The persistent MQTT 5 session the sync link needs (sync.md: clean: false, session expiry ≥ 1 day,
 * a last will on the status topic), against a real Mosquitto.
 */
import mqtt from "mqtt";
import { describe, expect, vi } from "vitest";
import { clientOptions, type MqttSession } from "../../drivers/mqtt/clientOptions.js";
import { MqttConnection } from "../../drivers/mqtt/connection.js";
import type { MqttMessage } from "../../drivers/mqtt/mqttTypes.js";
import { type Defer, test } from "../harness/index.js";
import { silentLogger } from "../helpers/logs.js";
import type { TestBroker } from "../helpers/mosquitto.js";

/** A connection to the file's broker as `clientId`, with `session` when given; stopped after the test. */
function connection(
  broker: TestBroker,
  defer: Defer,
  clientId: string,
  session?: MqttSession,
): MqttConnection {
  const c = new MqttConnection({
    logger: silentLogger(),
    config: { url: broker.url },
    gatewayId: "gw-session",
    clientId,
    backoff: { baseMs: 50, factor: 2, capMs: 200, jitter: "none" },
    ...(session === undefined ? {} : { session }),
  });
  defer(() => c.stop());
  return c;
}

const it = test.extend(
  "connection",
  ({ broker, defer }) =>
    (clientId: string, session?: MqttSession) =>
      connection(broker, defer, clientId, session),
);

describe("MqttConnection with a persistent session", () => {
  it("maps a session to MQTT 5 options: clean false, session expiry, will, maximum packet size", () => {
    const options = clientOptions(
      { url: "mqtt://127.0.0.1:1883" },
      "gw-1",
      { keepaliveSeconds: 30, connectTimeoutMs: 1000 },
      {
        expirySeconds: 86_400,
        maximumPacketSize: 16_777_216,
        will: {
          topic: "accessgw/v1/gateways/gw-1/status",
          payload: '{"online":false}',
          qos: 1,
          retain: true,
        },
      },
    );
    expect(options).toMatchObject({
      clientId: "gw-1",
      clean: false,
      protocolVersion: 5,
      properties: { sessionExpiryInterval: 86_400, maximumPacketSize: 16_777_216 },
      will: { topic: "accessgw/v1/gateways/gw-1/status", payload: '{"online":false}', qos: 1, retain: true },
    });
    expect(
      clientOptions({ url: "mqtt://h" }, "x", { keepaliveSeconds: 30, connectTimeoutMs: 1 }),
    ).toMatchObject({
      clean: true,
    });
    expect(
      clientOptions({ url: "mqtt://h" }, "x", { keepaliveSeconds: 30, connectTimeoutMs: 1 }),
    ).not.toHaveProperty("will");
  });

  it("receives the QoS 1 messages published while it was away; a clean session does not", async ({
    connection,
    mqttClient,
  }) => {
    const session = { expirySeconds: 3600 };
    const first = connection("gw-persistent", session);
    first.subscribe("sync/test", () => {});
    const clean = connection("gw-clean");
    clean.subscribe("sync/test", () => {});
    first.start();
    clean.start();
    await Promise.all([first.whenSubscribed(), clean.whenSubscribed()]);
    await first.stop();
    await clean.stop();

    const p = await mqttClient();
    await p.publishAsync("sync/test", "sent while away", { qos: 1 });

    const seen: MqttMessage[] = [];
    const again = connection("gw-persistent", session);
    again.subscribe("sync/test", (m) => {
      seen.push(m);
    });
    const cleanSeen: MqttMessage[] = [];
    const cleanAgain = connection("gw-clean");
    cleanAgain.subscribe("sync/test", (m) => {
      cleanSeen.push(m);
    });
    again.start();
    cleanAgain.start();
    await vi.waitFor(() => expect(seen.map((m) => m.payload.toString())).toEqual(["sent while away"]), {
      timeout: 5000,
    });
    await cleanAgain.whenSubscribed();
    await p.publishAsync("sync/test", "marker", { qos: 1 });
    await vi.waitFor(() => expect(cleanSeen.map((m) => m.payload.toString())).toEqual(["marker"]), {
      timeout: 5000,
    });
  });

  it("leaves its last will, retained, when the broker loses it without a DISCONNECT", async ({
    broker,
    connection,
    mqttClient,
  }) => {
    const status = "accessgw/v1/gateways/gw-will/status";
    const watcher = await mqttClient();
    const wills: { payload: string; retain: boolean }[] = [];
    watcher.on("message", (topic, payload, packet) => {
      if (topic === status) wills.push({ payload: payload.toString(), retain: packet.retain });
    });
    await watcher.subscribeAsync(status, { qos: 1 });
    const gateway = connection("gw-will", {
      expirySeconds: 3600,
      will: { topic: status, payload: '{"online":false}', qos: 1, retain: true },
    });
    gateway.start();
    await vi.waitFor(() => expect(gateway.isOpen()).toBe(true), { timeout: 5000 });
    await gateway.publish(status, '{"online":true}', { qos: 1, retain: true });
    // Another client takes the gateway's client id: the broker drops the gateway's connection
    // without a DISCONNECT from it, so it publishes the will.
    const usurper = await mqtt.connectAsync(broker.url, {
      clientId: "gw-will",
      reconnectPeriod: 0,
      protocolVersion: 5,
    });
    await gateway.stop();
    await usurper.endAsync();
    await vi.waitFor(() => expect(wills.map((w) => w.payload)).toContain('{"online":false}'), {
      timeout: 5000,
    });
    // A client that subscribes later still reads the retained will.
    const late = await mqttClient();
    const retained = new Promise<string>((resolve) =>
      late.on("message", (_t, payload) => resolve(payload.toString())),
    );
    await late.subscribeAsync(status, { qos: 1 });
    expect(await retained).toBe('{"online":false}');
  });
});

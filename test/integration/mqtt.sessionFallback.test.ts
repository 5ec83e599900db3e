/**
 * A persistent session on a broker without MQTT 5 (aedes, the simulator's embedded broker): the
 * connection falls back to an MQTT 3.1.1 persistent session (clean false) instead of retrying MQTT 5
 * forever, and still receives the QoS 1 messages published while it was away.
 */
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, vi } from "vitest";
import { MqttConnection } from "../../drivers/mqtt/connection.js";
import type { MqttMessage } from "../../drivers/mqtt/mqttTypes.js";
import { type EmbeddedBroker, startEmbeddedBroker } from "../../firmware-sim/embeddedBroker.js";
import { freePort } from "../../firmware-sim/mosquitto.js";
import { type Defer, test } from "../harness/index.js";
import { silentLogger } from "../helpers/logs.js";

let broker: EmbeddedBroker;
beforeAll(async () => {
  broker = await startEmbeddedBroker(`mqtt://127.0.0.1:${await freePort()}`);
});
afterAll(() => broker.close());

/** A connection with a persistent session on the aedes broker, stopped after the test. */
function persistent(defer: Defer, clientId: string): MqttConnection {
  const c = new MqttConnection({
    logger: silentLogger(),
    config: { url: broker.url },
    gatewayId: "gw-fallback",
    clientId,
    backoff: { baseMs: 20, factor: 2, capMs: 100, jitter: "none" },
    session: {
      expirySeconds: 3600,
      will: { topic: "fallback/status", payload: '{"online":false}', qos: 1, retain: true },
    },
  });
  defer(() => c.stop());
  return c;
}

const it = test.extend(
  "persistent",
  ({ defer }) =>
    (clientId: string) =>
      persistent(defer, clientId),
);

describe("a persistent session on a broker that refuses MQTT 5", () => {
  it("connects with MQTT 3.1.1 and clean false, and gets what was published while it was away", async ({
    defer,
    persistent,
  }) => {
    const first = persistent("gw-fallback");
    first.subscribe("fallback/test", () => {});
    first.start();
    await vi.waitFor(() => expect(first.isOpen()).toBe(true), { timeout: 5000 });
    expect(first.protocol()).toBe("3.1.1");
    await first.whenSubscribed();
    await first.stop();

    const peer = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    defer(() => peer.endAsync());
    await peer.publishAsync("fallback/test", "sent while away", { qos: 1 });

    const seen: MqttMessage[] = [];
    const again = persistent("gw-fallback");
    again.subscribe("fallback/test", (m) => {
      seen.push(m);
    });
    again.start();
    await vi.waitFor(() => expect(seen.map((m) => m.payload.toString())).toEqual(["sent while away"]), {
      timeout: 5000,
    });
    expect(again.counters().reconnects).toBe(0);
  });
});

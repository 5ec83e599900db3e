/**
 * Flow control on the sync link: a message's handler returns a promise; while it has not settled,
 * one more message is read and the rest wait at the broker. A snapshot of a million members then
 * waits there, not in the gateway's memory. Without flow control messages arrive at once.
 */
import type { MqttClient } from "mqtt";
import { describe, expect, vi } from "vitest";
import { MqttConnection } from "../../drivers/mqtt/connection.js";
import { type Defer, test } from "../harness/index.js";
import { silentLogger } from "../helpers/logs.js";
import type { TestBroker } from "../helpers/mosquitto.js";

/** A connection to the file's broker with a session, with or without flow control; stopped after the test. */
function link(broker: TestBroker, defer: Defer, clientId: string, flowControl: boolean): MqttConnection {
  const c = new MqttConnection({
    logger: silentLogger(),
    config: { url: broker.url },
    gatewayId: "gw-flow",
    clientId,
    flowControl,
    session: { expirySeconds: 60 },
  });
  defer(() => c.stop());
  return c;
}

const it = test
  .extend(
    "link",
    ({ broker, defer }) =>
      (clientId: string, flowControl: boolean) =>
        link(broker, defer, clientId, flowControl),
  )
  .extend(
    "holding",
    ({ mqttClient }) =>
      (c: MqttConnection, topic: string) =>
        holding(mqttClient, c, topic),
  );

/** Subscribes `c` to `topic`; each message waits for its own release() before it is done. */
async function holding(mqttClient: () => Promise<MqttClient>, c: MqttConnection, topic: string) {
  const seen: string[] = [];
  const releases: (() => void)[] = [];
  c.subscribe(topic, (m) => {
    seen.push(m.payload.toString());
    return new Promise<void>((resolve) => releases.push(resolve));
  });
  c.start();
  await c.whenSubscribed();
  const peer = await mqttClient();
  for (const n of ["1", "2", "3"]) await peer.publishAsync(topic, n, { qos: 1 });
  return { seen, releases };
}

describe("MqttConnection flow control", () => {
  it("reads one message ahead of the one being handled, the next only once that one settles", async ({
    link,
    holding,
  }) => {
    const c = link("gw-flow-on", true);
    const { seen, releases } = await holding(c, "flow/on");
    // 1 is being handled; 2 is read ahead; 3 waits at the broker.
    await vi.waitFor(() => expect(seen).toEqual(["1", "2"]), { timeout: 5000 });
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual(["1", "2"]);
    releases[0]?.();
    await vi.waitFor(() => expect(seen).toEqual(["1", "2", "3"]), { timeout: 5000 });
    for (const release of releases) release();
  });

  it("delivers messages as they come without it", async ({ link, holding }) => {
    const c = link("gw-flow-off", false);
    const { seen } = await holding(c, "flow/off");
    await vi.waitFor(() => expect(seen).toEqual(["1", "2", "3"]), { timeout: 5000 });
  });
});

/**
 * Flow control on the sync link: a message's handler returns a promise; while it has not settled,
 * one more message is read and the rest wait at the broker. A snapshot of a million members then
 * waits there, not in the gateway's memory. Without flow control messages arrive at once.
 */
import mqtt from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { MqttConnection } from "../../drivers/mqtt/connection.js";
import { silentLogger } from "../helpers/logs.js";
import { startBroker, type TestBroker } from "../helpers/mosquitto.js";

let broker: TestBroker & { dispose(): Promise<void> };
beforeAll(async () => {
  broker = await startBroker();
});
afterAll(() => broker.dispose());
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function link(clientId: string, flowControl: boolean): MqttConnection {
  const c = new MqttConnection({
    logger: silentLogger(),
    config: { url: broker.url },
    gatewayId: "gw-flow",
    clientId,
    flowControl,
    session: { expirySeconds: 60 },
  });
  cleanup.push(() => c.stop());
  return c;
}

/** Subscribes `c` to `topic`; each message waits for its own release() before it is done. */
async function holding(c: MqttConnection, topic: string) {
  const seen: string[] = [];
  const releases: (() => void)[] = [];
  c.subscribe(topic, (m) => {
    seen.push(m.payload.toString());
    return new Promise<void>((resolve) => releases.push(resolve));
  });
  c.start();
  await c.whenSubscribed();
  const peer = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
  cleanup.push(() => peer.endAsync());
  for (const n of ["1", "2", "3"]) await peer.publishAsync(topic, n, { qos: 1 });
  return { seen, releases };
}

describe("MqttConnection flow control", () => {
  it("reads one message ahead of the one being handled, the next only once that one settles", async () => {
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

  it("delivers messages as they come without it", async () => {
    const c = link("gw-flow-off", false);
    const { seen } = await holding(c, "flow/off");
    await vi.waitFor(() => expect(seen).toEqual(["1", "2", "3"]), { timeout: 5000 });
  });
});

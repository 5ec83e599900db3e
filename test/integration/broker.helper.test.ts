import mqtt from "mqtt";
import { describe, expect, vi } from "vitest";
import { it } from "../harness/index.js";
import type { TestBroker } from "../helpers/mosquitto.js";

/** The broker the first test got: the file's tests share it (a file-scoped fixture). */
let first: TestBroker | undefined;

describe("the test broker", () => {
  it("is a real Mosquitto on 127.0.0.1 when one is installed, and relays messages", async ({ broker }) => {
    first = broker;
    expect(broker.url).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    const client = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    await client.subscribeAsync("t/x");
    const got = new Promise<string>((resolve) => client.once("message", (_t, p) => resolve(p.toString())));
    await client.publishAsync("t/x", "hello");
    expect(await got).toBe("hello");
    await client.endAsync();
  });

  it("comes back on the same port after stop and restart", async ({ broker }) => {
    await broker.stop();
    await expect(
      mqtt.connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 500 }),
    ).rejects.toThrow();
    await broker.restart();
    const client = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    expect(client.connected).toBe(true);
    await client.endAsync();
  });

  it("is one broker for the whole file: every test gets the one the first test started", ({ broker }) => {
    expect(first).toBeDefined();
    expect(broker).toBe(first);
  });

  it("hands a test plain clients on it: a watcher sees what a peer publishes, with its retain flag", async ({
    mqttClient,
    watcher,
  }) => {
    const peer = await mqttClient();
    await peer.publishAsync("t/kept", "old", { retain: true, qos: 1 });
    const seen = await watcher("t/#", { qos: 1 });
    await seen.send({ topic: "t/live", payload: "new" });
    await vi.waitFor(() => expect(seen.seen).toHaveLength(2), { timeout: 5000 });
    expect(seen.seen).toEqual([
      { topic: "t/kept", payload: "old", retain: true },
      { topic: "t/live", payload: "new", retain: false },
    ]);
    expect(seen.on("t/live")).toEqual(["new"]);
    await peer.publishAsync("t/kept", "", { retain: true, qos: 1 });
  });
});

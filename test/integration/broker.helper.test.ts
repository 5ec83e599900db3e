import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBroker, type TestBroker } from "../helpers/mosquitto.js";

let broker: TestBroker & { dispose(): Promise<void> };
beforeAll(async () => {
  broker = await startBroker();
});
afterAll(() => broker.dispose());

describe("the test broker", () => {
  it("is a real Mosquitto on 127.0.0.1 when one is installed, and relays messages", async () => {
    expect(broker.url).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    const client = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    await client.subscribeAsync("t/x");
    const got = new Promise<string>((resolve) => client.once("message", (_t, p) => resolve(p.toString())));
    await client.publishAsync("t/x", "hello");
    expect(await got).toBe("hello");
    await client.endAsync();
  });

  it("comes back on the same port after stop and restart", async () => {
    await broker.stop();
    await expect(
      mqtt.connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 500 }),
    ).rejects.toThrow();
    await broker.restart();
    const client = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    expect(client.connected).toBe(true);
    await client.endAsync();
  });
});

/**
 * The parts of the several-gateways harness that the site tests rely on without seeing them: a
 * gateway's uplink that can be cut and mended (bench/uplink.ts), and the older central's bridge
 * (test/harness/site.ts), which must relay every sync.md message and strip only visits and
 * presence. A harness that silently passed visits through would make "an older central still
 * works" prove nothing.
 */
import { connect } from "node:net";
import mqtt from "mqtt";
import { describe, expect, vi } from "vitest";
import { Uplink } from "../../bench/uplink.js";
import { it } from "../harness/index.js";
import { olderCentral } from "../harness/site.js";

const anna = {
  id: "m-anna",
  name: "Anna",
  cards: [{ number: "1001", status: "active" }],
  multipacks: [],
  visits: [{ id: "gw-a:1", site: "lido", at: "2027-03-22T09:00:00Z" }],
  presence: [{ area: "pool", direction: "in", at: "2027-03-22T09:00:00Z", eventId: "gw-a:1" }],
};

describe("the older central's bridge", () => {
  it("relays the central's member documents to the gateways without visits and presence, the rest as sent", async ({
    mqttClient,
    watcher,
  }) => {
    await olderCentral(await mqttClient(), "old-c/v1", "old-g/v1");
    const gateway = await watcher(["old-g/v1/sites/lido/changes", "old-g/v1/gateways/gw-a/sync"], { qos: 1 });
    const central = await mqttClient();
    const changes = { rev: 3, members: [anna], deletedMembers: ["m-gone"] };
    await central.publishAsync("old-c/v1/sites/lido/changes", JSON.stringify(changes), { qos: 1 });
    const part = { fromRev: 0, toRev: 3, part: 1, parts: 1, members: [anna], deletedMembers: [] };
    await central.publishAsync("old-c/v1/gateways/gw-a/sync", JSON.stringify(part), { qos: 1 });
    await vi.waitFor(() => expect(gateway.seen).toHaveLength(2), { timeout: 5000 });
    const { visits: _v, presence: _p, ...plain } = anna;
    expect(JSON.parse(gateway.on("old-g/v1/sites/lido/changes")[0] ?? "")).toEqual({
      ...changes,
      members: [plain],
    });
    expect(JSON.parse(gateway.on("old-g/v1/gateways/gw-a/sync")[0] ?? "")).toEqual({
      ...part,
      members: [plain],
    });
  });

  it("relays what the gateways send to the central's prefix, and the retained config retained", async ({
    mqttClient,
    watcher,
  }) => {
    await olderCentral(await mqttClient(), "old2-c/v1", "old2-g/v1");
    const central = await watcher("old2-c/v1/gateways/+/hello", { qos: 1 });
    const peer = await mqttClient();
    await peer.publishAsync("old2-g/v1/gateways/gw-a/hello", '{"gatewayId":"gw-a"}', { qos: 1 });
    await vi.waitFor(() =>
      expect(central.on("old2-c/v1/gateways/gw-a/hello")).toEqual(['{"gatewayId":"gw-a"}']),
    );
    const live = await watcher("old2-g/v1/sites/lido/config", { qos: 1 });
    await peer.publishAsync("old2-c/v1/sites/lido/config", '{"rev":1}', { qos: 1, retain: true });
    await vi.waitFor(() => expect(live.on("old2-g/v1/sites/lido/config")).toEqual(['{"rev":1}']));
    // A gateway subscribing later still gets the config: the bridge kept it retained.
    const late = await watcher("old2-g/v1/sites/lido/config", { qos: 1 });
    await vi.waitFor(() =>
      expect(late.seen.map((m) => [m.payload, m.retain])).toEqual([['{"rev":1}', true]]),
    );
  });
});

describe("a gateway's uplink", () => {
  it("relays to the broker, drops its clients when cut, refuses them until mended", async ({
    broker,
    defer,
  }) => {
    const { hostname, port } = new URL(broker.url);
    const uplink = new Uplink(hostname, Number(port));
    const url = await uplink.start();
    defer(() => uplink.stop());
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    defer(() => client.endAsync(true));
    expect(client.connected).toBe(true);

    const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
    uplink.cut();
    await closed;
    // While cut, a connection is accepted and closed at once, before a byte comes back.
    const refused = connect(Number(new URL(url).port), "127.0.0.1");
    const bytes: Buffer[] = [];
    refused.on("data", (b) => bytes.push(b));
    refused.write(Buffer.from([0x10, 0x00]));
    await new Promise((resolve) => refused.once("close", resolve));
    expect(bytes).toEqual([]);

    uplink.mend();
    const again = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    defer(() => again.endAsync(true));
    expect(again.connected).toBe(true);
  });
});

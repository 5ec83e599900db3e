/**
 * sync.md: a payload that fails validation (not JSON, not UTF-8, the wrong shape, too large) is
 * logged with its topic and the first problems, counted, and dropped: it never changes stored data
 * and never stops the gateway. Against a real Mosquitto, the test playing the central.
 */
import mqtt from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { GatewayConfig } from "../../config/gateway.js";
import { scan } from "../../gateway/decisions.js";
import { SyncClient } from "../../gateway/sync/client.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { at } from "../helpers/build.js";
import { exampleDoc } from "../helpers/examples.js";
import { memoryLogger } from "../helpers/logs.js";
import { startBroker, type TestBroker } from "../helpers/mosquitto.js";
import { dump, freshStore, importExamples, scanReq } from "../store/storeHelpers.js";

let broker: TestBroker & { dispose(): Promise<void> };
beforeAll(async () => {
  broker = await startBroker();
});
afterAll(() => broker.dispose());
const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const P = "bad/v1";
const G = "gw-bad";
const SITE = "rome-center";

describe("payloads that fail validation", () => {
  it("are logged with their topic, counted and dropped; nothing stored changes; decisions go on", async () => {
    const t = freshStore();
    cleanup.push(() => t.close());
    importExamples(t.store);
    const { logger, lines } = memoryLogger();
    const client = new SyncClient({
      store: t.store,
      config: GatewayConfig.parse({
        gateway: { id: G, site: SITE },
        mqtt: { url: broker.url },
        sync: { enabled: true, topicPrefix: P, maxMessageBytes: 4096 },
      }),
      gatewayId: G,
      version: "1.0.0-test",
      clock: Date.now,
      scheduler: realScheduler,
      logger,
      env: {},
    });
    cleanup.push(() => client.stop());
    const central = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    cleanup.push(() => central.endAsync());
    const hellos: string[] = [];
    central.on("message", (_topic, payload) => hellos.push(payload.toString()));
    await central.subscribeAsync(`${P}/gateways/${G}/hello`, { qos: 1 });
    client.start();
    await vi.waitFor(() => expect(hellos).toHaveLength(1), { timeout: 5000 });
    await client.idle();
    const before = dump(t.store);

    const anna = exampleDoc<{ members: { id: string }[] }>("members.yaml").members.find(
      (m) => m.id === "m-anna",
    );
    const send = (leaf: string, payload: string | Buffer) =>
      central.publishAsync(`${P}/${leaf}`, payload, { qos: 1 });
    const bad: [string, string | Buffer, RegExp][] = [
      [`sites/${SITE}/changes`, "{not json", /changes refused: not JSON/],
      [
        `sites/${SITE}/changes`,
        JSON.stringify({ rev: 1, members: [{ id: "m-x", colour: "red" }], deletedMembers: [] }),
        /members\[0\]: unknown field "colour"/,
      ],
      [
        `sites/${SITE}/changes`,
        JSON.stringify({ rev: 1, members: Array(40).fill(anna), deletedMembers: [] }),
        /bytes is more than sync.maxMessageBytes \(4096\)/,
      ],
      [
        `gateways/${G}/sync`,
        JSON.stringify({
          fromRev: 0,
          toRev: 2,
          snapshot: true,
          part: 2,
          parts: 1,
          members: [],
          deletedMembers: [],
        }),
        /part: part 2 > parts 1/,
      ],
      [`gateways/${G}/sync`, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), /not UTF-8/],
      [`gateways/${G}/acks`, JSON.stringify({ upTo: -3 }), /acks refused: upTo/],
      [`sites/${SITE}/config`, JSON.stringify({ config: {} }), /config refused: rev/],
    ];
    for (const [leaf, payload] of bad) await send(leaf, payload);
    await vi.waitFor(() => expect(client.counters().badPayloads).toBe(bad.length), { timeout: 5000 });
    await client.idle();

    // Each is logged with its topic and what was wrong with it.
    const dropped = lines.filter((l) => l.level === "warn" && l.problem !== undefined);
    expect(dropped.map((w) => w.topic)).toEqual(bad.map(([leaf]) => `${P}/${leaf}`));
    for (const [i, [, , problem]] of bad.entries()) expect(dropped[i]?.problem).toMatch(problem);
    // Nothing stored changed (not even a rejection: the config had no usable rev).
    expect(dump(t.store)).toEqual(before);
    expect(client.problems()).not.toContainEqual(expect.stringMatching(/^configRejected/));

    // The link is still up and the gateway still decides.
    expect(client.link.isOpen()).toBe(true);
    expect(scan(t.store, scanReq("0001234567", "pool"), at("2027-03-22T10:00"), G).memberId).toBe("m-anna");
  });
});

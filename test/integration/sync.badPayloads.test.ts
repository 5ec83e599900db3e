/**
 * sync.md: a payload that fails validation (not JSON, not UTF-8, the wrong shape, too large) is
 * logged with its topic and the first problems, counted, and dropped: it never changes stored data
 * and never stops the gateway. Against a real Mosquitto, the test playing the central.
 */
import { describe, expect, vi } from "vitest";
import { scan } from "../../gateway/decisions.js";
import { it } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { exampleDoc } from "../helpers/examples.js";
import { memoryLogger } from "../helpers/logs.js";
import { dump, importExamples, scanReq } from "../store/storeHelpers.js";

const P = "bad/v1";
const G = "gw-bad";
const SITE = "rome-center";

describe("payloads that fail validation", () => {
  it("are logged with their topic, counted and dropped; nothing stored changes; decisions go on", async ({
    store: t,
    syncClient,
    centralPeer,
  }) => {
    importExamples(t.store);
    const { logger, lines } = memoryLogger();
    const central = await centralPeer(P, G);
    const client = syncClient({
      store: t.store,
      gatewayId: G,
      prefix: P,
      sync: { maxMessageBytes: 4096 },
      logger,
    });
    await vi.waitFor(() => expect(central.got.hello).toHaveLength(1), { timeout: 5000 });
    await client.idle();
    const before = dump(t.store);

    const anna = exampleDoc<{ members: { id: string }[] }>("members.yaml").members.find(
      (m) => m.id === "m-anna",
    );
    const send = (leaf: string, payload: string | Buffer) =>
      central.client.publishAsync(`${P}/${leaf}`, payload, { qos: 1 });
    const bad: [string, string | Buffer, RegExp][] = [
      [`sites/${SITE}/changes`, "{not json", /changes refused: not JSON/],
      [
        `sites/${SITE}/changes`,
        JSON.stringify({ rev: 1, members: [{ id: "m-x", colour: "red" }], deletedMembers: [] }),
        /members\[0\] \(m-x\): unknown field "colour"/,
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
    // Acks are taken as they arrive, changes and sync parts once the worker has validated them:
    // the order across kinds may differ from the order sent, the order within one kind does not.
    const topicsOf = (topics: string[], leaf: string) => topics.filter((topic) => topic.endsWith(leaf));
    for (const leaf of ["changes", "sync", "acks", "config"])
      expect(
        topicsOf(
          dropped.map((w) => w.topic as string),
          leaf,
        ),
      ).toEqual(
        topicsOf(
          bad.map(([l]) => `${P}/${l}`),
          leaf,
        ),
      );
    for (const [leaf, , problem] of bad) {
      const of = dropped.filter((w) => w.topic === `${P}/${leaf}`);
      const i = bad.filter(([l]) => l === leaf).findIndex(([, , p]) => p === problem);
      expect(of[i]?.problem).toMatch(problem);
    }
    // Nothing stored changed (not even a rejection: the config had no usable rev).
    expect(dump(t.store)).toEqual(before);
    expect(client.problems()).not.toContainEqual(expect.stringMatching(/^configRejected/));

    // The link is still up and the gateway still decides.
    expect(client.link.isOpen()).toBe(true);
    expect(scan(t.store, scanReq("0001234567", "pool"), at("2027-03-22T10:00"), G).memberId).toBe("m-anna");
  });
});

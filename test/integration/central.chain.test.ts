/**
 * A chain served from one process (central/chain.ts) with the real gateway sync client on a real
 * Mosquitto: a charged visit at site A's gateway reaches the member document published to site B
 * (its ledger entry echoed under B's topic) and B's gateway decides with it, a refund too; each site
 * acks only its own gateways' events; a site added to the chain later gets the decisions made before.
 */
import { join } from "node:path";
import { describe, expect, vi } from "vitest";
import { Chain } from "../../central/chain.js";
import { ChangesMessage } from "../../config/protocol/payloads.js";
import { explain, memberBalance, scan } from "../../gateway/decisions.js";
import { syncState } from "../../gateway/store/db.js";
import { outboxDepth } from "../../gateway/store/outbox.js";
import { recordRelayFailure } from "../../gateway/store/relayFailure.js";
import { test } from "../harness/index.js";
import { FAST_BACKOFF } from "../harness/sync.js";
import { at } from "../helpers/build.js";
import { exampleText } from "../helpers/examples.js";
import { silentLogger } from "../helpers/logs.js";
import { scanReq, type TestStore } from "../store/storeHelpers.js";

const MONDAY_10 = at("2027-03-22T10:00");
const A = "rome-center";
const B = "rome-north";
const C = "rome-south";
/** R20: one swim a month at the chain's other clubs, one a day at home. */
const WHERE_LIMITS = `  - { id: away-pool-1-a-month, amount: 1, period: month, areas: [pool], at: away }
  - { id: home-pool-1-a-day, amount: 1, period: day, areas: [pool], at: home }
`;
const ANNA_CARD = "0001234567";
const wait = (fn: () => void) => vi.waitFor(fn, { timeout: 10_000, interval: 20 });

const it = test
  /** The chain's files: the worked example's site as A, the same rules as B, the members shared. */
  .extend("chainFiles", ({ writeFile }) => {
    // R20: the same rules at every site, with two limits that depend on where the member is.
    const site = exampleText("site.yaml").replace("limits:\n", `limits:\n${WHERE_LIMITS}`);
    return {
      // Anna's home is site A.
      membersFile: writeFile(
        "members.yaml",
        exampleText("members.yaml").replace("  - id: m-anna\n", `  - id: m-anna\n    homeSite: ${A}\n`),
      ),
      siteFiles: Object.fromEntries(
        [A, B, C].map((id) => [id, writeFile(`${id}.yaml`, site.replace(`id: ${A}`, `id: ${id}`))]),
      ) as Record<string, string>,
    };
  })
  /** Starts a chain of `sites` on `prefix` (stopped after the test). */
  .extend("chain", ({ chainFiles, folder, broker, defer }) => async (prefix: string, sites: string[]) => {
    const chain = new Chain({
      sites: sites.map((siteId) => ({
        siteId,
        siteConfigFile: chainFiles.siteFiles[siteId] as string,
        membersFile: chainFiles.membersFile,
      })),
      dataDir: join(folder.dir, "central-data"),
      shared: {
        mqtt: { url: broker.url, clientId: `chain-${prefix.replace(/\//g, "-")}` },
        topicPrefix: prefix,
        env: {},
        backoff: FAST_BACKOFF,
        watch: false,
      },
      logger: silentLogger(),
    });
    defer(() => chain.stop());
    await chain.start();
    for (const c of chain.centrals().values()) await c.whenSubscribed();
    return chain;
  })
  /** A gateway of `site` with an empty cache, running the real sync client. */
  .extend("gatewayAt", ({ newStore, syncClient }) => (prefix: string, site: string, id: string) => {
    const t: TestStore = newStore();
    const client = syncClient({ store: t.store, gatewayId: id, prefix, site, sync: { ackTimeoutMs: 300 } });
    return { store: t.store, client };
  });

const remaining = (store: TestStore["store"]) =>
  memberBalance(store, { member: "m-anna" }, MONDAY_10 + 60_000).multipacks.find(
    (m) => m.multipackId === "mp-anna-swim",
  )?.creditsRemaining;

/** The central of `site` in a started chain. */
function siteOf(chain: Chain, site: string) {
  const central = chain.centrals().get(site);
  if (central === undefined) throw new Error(`no central for ${site}`);
  return central;
}

describe("a chain of sites served from one process", () => {
  it("R16/R20: a charged visit at site A's gateway reaches site B's member document and gateway, and so does its refund", async ({
    chain: startChain,
    gatewayAt,
    watcher,
  }) => {
    const prefix = "chain1/v1";
    const changesAtB = await watcher(`${prefix}/sites/${B}/changes`, { qos: 1 });
    const chain = await startChain(prefix, [A, B]);
    const [a, b] = [siteOf(chain, A), siteOf(chain, B)];
    const gwA = gatewayAt(prefix, A, "gw-a");
    const gwB = gatewayAt(prefix, B, "gw-b");
    await wait(() => expect(syncState(gwA.store).lastRev).toBe(a.siteRev()));
    await wait(() => expect(syncState(gwB.store).lastRev).toBe(b.siteRev()));
    expect(remaining(gwB.store)).toBe(10);

    const e = scan(gwA.store, scanReq(ANNA_CARD, "pool"), MONDAY_10, "gw-a");
    expect(e).toMatchObject({ decision: "grant", creditsDeducted: 1 });
    gwA.client.poke();
    await wait(() => expect(outboxDepth(gwA.store)).toBe(0));

    // Stored at B as an event of site A, never under B's watermarks; echoed in B's member document.
    await wait(() => expect(b.remaining("mp-anna-swim")).toBe(9));
    expect(b.events("gw-a").map((x) => x.id)).toEqual(["gw-a:1"]);
    expect(b.watermark("gw-a")).toBe(0);
    expect(b.counters().eventsRelayed).toBe(1);
    // The broker hands the change to the watcher after the central has stored it: wait for it.
    const echoed = () =>
      changesAtB
        .on(`${prefix}/sites/${B}/changes`)
        .map((p) => ChangesMessage.parse(JSON.parse(p)))
        .flatMap((c) => c.members)
        .filter((m) => m.id === "m-anna")
        .map((m) => m.multipacks.find((mp) => mp.id === "mp-anna-swim")?.ledger.map((l) => [l.id, l.amount]));
    await wait(() => expect(echoed().at(-1)).toEqual([["gw-a:1", 1]]));
    await wait(() => expect(remaining(gwB.store)).toBe(9));

    // The door at A did not open: the settled copy is relayed too, and its refund reaches B.
    recordRelayFailure(gwA.store, e, MONDAY_10 + 5000);
    gwA.client.poke();
    await wait(() => expect(b.remaining("mp-anna-swim")).toBe(10));
    await wait(() => expect(remaining(gwB.store)).toBe(10));
    expect(b.events("gw-a").map((x) => "relayFailed" in x && x.relayFailed)).toEqual([true]);
    expect(a.remaining("mp-anna-swim")).toBe(10);
  });

  it("each site acks only its own gateways: site B's events are stored and acked by B, only relayed at A", async ({
    chain: startChain,
    gatewayAt,
  }) => {
    const prefix = "chain2/v1";
    const chain = await startChain(prefix, [A, B]);
    const [a, b] = [siteOf(chain, A), siteOf(chain, B)];
    const gwB = gatewayAt(prefix, B, "gw-b");
    await wait(() => expect(syncState(gwB.store).lastRev).toBe(b.siteRev()));
    scan(gwB.store, scanReq(ANNA_CARD, "pool"), MONDAY_10, "gw-b");
    scan(gwB.store, scanReq(ANNA_CARD, "gym"), MONDAY_10 + 60_000, "gw-b");
    gwB.client.poke();
    await wait(() => expect(outboxDepth(gwB.store)).toBe(0));
    await chain.idle();

    expect(b.watermark("gw-b")).toBe(2);
    expect(a.watermark("gw-b")).toBe(0);
    // A heard gw-b's hello and events on the shared broker, and ignored them as another site's.
    expect(a.counters()).toMatchObject({ acksSent: 0, eventsStored: 0, eventsRelayed: 2 });
    expect(a.counters().eventsIgnored).toBeGreaterThanOrEqual(2);
    expect(a.gateways().find((g) => g.id === "gw-b")?.siteId).toBe(B);
    expect(a.events("gw-b").map((x) => x.id)).toEqual(["gw-b:1", "gw-b:2"]);
    expect(a.remaining("mp-anna-swim")).toBe(9);
  });

  it("a site added to the chain later gets the decisions its sites made before", async ({
    chain: startChain,
    gatewayAt,
  }) => {
    const prefix = "chain3/v1";
    const alone = await startChain(prefix, [A]);
    const gwA = gatewayAt(prefix, A, "gw-a");
    await wait(() => expect(syncState(gwA.store).lastRev).toBe(siteOf(alone, A).siteRev()));
    scan(gwA.store, scanReq(ANNA_CARD, "pool"), MONDAY_10, "gw-a");
    gwA.client.poke();
    await wait(() => expect(outboxDepth(gwA.store)).toBe(0));
    await alone.stop();

    const chain = await startChain(prefix, [A, B]);
    const b = siteOf(chain, B);
    expect(b.events("gw-a").map((x) => x.id)).toEqual(["gw-a:1"]);
    expect(b.remaining("mp-anna-swim")).toBe(9);
    // Handed again at every start: what a site has already changes nothing.
    expect(siteOf(chain, A).counters().eventsRelayed).toBe(0);
    await chain.stop();
    const again = await startChain(prefix, [A, B]);
    expect(siteOf(again, B).counters().eventsRelayed).toBe(0);
    expect(siteOf(again, B).remaining("mp-anna-swim")).toBe(9);
  });

  it("R20: a swim at club B counts toward 'once a month away' at club C, and not toward 'once a day at home' at A", async ({
    chain: startChain,
    gatewayAt,
  }) => {
    const prefix = "chain4/v1";
    const chain = await startChain(prefix, [A, B, C]);
    const gw = Object.fromEntries([A, B, C].map((site) => [site, gatewayAt(prefix, site, `gw-${site}`)]));
    for (const site of [A, B, C])
      await wait(() =>
        expect(syncState(gw[site]?.store as TestStore["store"]).lastRev).toBe(siteOf(chain, site).siteRev()),
      );
    const store = (site: string) => gw[site]?.store as TestStore["store"];
    const TUESDAY_10 = MONDAY_10 + 86_400_000;

    // Away at B: her first swim away this month.
    expect(scan(store(B), scanReq(ANNA_CARD, "pool"), MONDAY_10, `gw-${B}`)).toMatchObject({
      decision: "grant",
    });
    gw[B]?.client.poke();
    await wait(() => expect(outboxDepth(store(B))).toBe(0));
    // C hears of it through the chain: a second swim away this month is refused there.
    await wait(() =>
      expect(explain(store(C), scanReq(ANNA_CARD, "pool"), TUESDAY_10)).toMatchObject({
        decision: "deny",
        reason: "limit_reached",
      }),
    );
    // A is home: B's swim neither counts toward the home limit nor does the away limit apply there.
    await wait(() =>
      expect(
        siteOf(chain, A)
          .memberDoc("m-anna")
          ?.visits?.map((v) => [v.id, v.site]),
      ).toEqual([[`gw-${B}:1`, B]]),
    );
    await wait(() => expect(syncState(store(A)).lastRev).toBe(siteOf(chain, A).siteRev()));
    expect(explain(store(A), scanReq(ANNA_CARD, "pool"), MONDAY_10 + 3_600_000)).toMatchObject({
      decision: "grant",
      reason: "ok",
    });
    // At home, once a day: her swim at A is counted there.
    scan(store(A), scanReq(ANNA_CARD, "pool"), MONDAY_10 + 3_600_000, `gw-${A}`);
    scan(store(A), scanReq(ANNA_CARD, "pool", "out"), MONDAY_10 + 7_200_000, `gw-${A}`);
    expect(explain(store(A), scanReq(ANNA_CARD, "pool"), MONDAY_10 + 4 * 3_600_000)).toMatchObject({
      decision: "deny",
      reason: "limit_reached",
    });
  });
});

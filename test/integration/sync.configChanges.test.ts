/**
 * A config and the member changes that go with it, as a gateway that was offline during a product
 * rename receives them: the retained config first (it drops a product stored multipacks still use),
 * then the members moved to the new product. Both must apply; refusing the config would refuse the
 * members too, for good. And a multipack handed from one member to another.
 */
import { describe, expect, vi } from "vitest";
import { explain } from "../../gateway/decisions.js";
import { syncState } from "../../gateway/store/db.js";
import { test } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { exampleDoc } from "../helpers/examples.js";
import { memoryLogger } from "../helpers/logs.js";
import { importExamples, scanReq } from "../store/storeHelpers.js";

const wait = (fn: () => void) => vi.waitFor(fn, { timeout: 10_000, interval: 20 });
const SITE = "rome-center";
const MONDAY_10 = at("2027-03-22T10:00");

interface Doc {
  id: string;
  multipacks: { id: string; product: string }[];
  [k: string]: unknown;
}

/** The examples on the test's store, its sync client, and a central (a plain client) it said hello to. */
const it = test.extend(
  "setup",
  ({ store: t, syncClient, centralPeer }) =>
    async (prefix: string, g: string) => {
      importExamples(t.store);
      const central = await centralPeer(prefix, g);
      const client = syncClient({ store: t.store, gatewayId: g, prefix });
      await wait(() => expect(central.got.hello).toHaveLength(1));
      const send = (leaf: string, payload: unknown) => central.send(leaf, payload);
      return { t, client, send };
    },
);

describe("config and members from the central", () => {
  it("applies a config that renames a product still in use, then the members moved to it", async ({
    setup,
  }) => {
    const { t, client, send } = await setup("cfg1/v1", "gw-rename");
    const site = exampleDoc<{ products: { id: string }[] } & Record<string, unknown>>("site.yaml");
    const renamed = {
      ...site,
      products: site.products.map((p) => (p.id === "swim10" ? { ...p, id: "swim-ten" } : p)),
    };
    await send(`sites/${SITE}/config`, { rev: 1, config: renamed });
    await wait(() => expect(client.counters().configsApplied).toBe(1));
    // Anna's pack names a product the site no longer has: refused (inactive) and reported.
    expect(client.problems()).toEqual([
      "configStranded: config rev 1 dropped products stored multipacks still use (swim10); those multipacks are refused until the central sends their members again",
    ]);
    expect(explain(t.store, scanReq("0001234567", "pool"), MONDAY_10).reason).toBe("inactive");

    const members = exampleDoc<{ members: Doc[] }>("members.yaml").members;
    const moved = members
      .filter((m) => m.multipacks.some((mp) => mp.product === "swim10"))
      .map((m) => ({
        ...m,
        multipacks: m.multipacks.map((mp) => (mp.product === "swim10" ? { ...mp, product: "swim-ten" } : mp)),
      }));
    await send(`sites/${SITE}/changes`, { rev: 1, members: moved, deletedMembers: [] });
    await wait(() => expect(client.counters().changesApplied).toBe(1));
    expect(client.problems()).toEqual([]);
    expect(explain(t.store, scanReq("0001234567", "pool"), MONDAY_10)).toMatchObject({
      decision: "grant",
      productId: "swim-ten",
    });
  });

  it("asks again after a refused change once a config that makes it valid has come", async ({ setup }) => {
    const { client, send } = await setup("cfg2/v1", "gw-order");
    const members = exampleDoc<{ members: Doc[] }>("members.yaml").members;
    const anna = members.find((m) => m.id === "m-anna") as Doc;
    const onNew = { ...anna, multipacks: anna.multipacks.map((mp) => ({ ...mp, product: "swim-ten" })) };
    await send(`sites/${SITE}/changes`, { rev: 1, members: [onNew], deletedMembers: [] });
    await wait(() => expect(client.counters().changesRejected).toBe(1));
    expect(client.problems()[0]).toMatch(/^syncRejected: changes rev 1: .*unknown product "swim-ten"/);
    const site = exampleDoc<{ products: { id: string }[] } & Record<string, unknown>>("site.yaml");
    await send(`sites/${SITE}/config`, {
      rev: 1,
      config: { ...site, products: [...site.products, { ...site.products[0], id: "swim-ten" }] },
    });
    await wait(() => expect(client.counters().hellos).toBe(2));
  });

  it("moves a multipack from one member to another when the central says so", async ({ setup }) => {
    const { t, client, send } = await setup("cfg3/v1", "gw-move");
    const members = exampleDoc<{ members: Doc[] }>("members.yaml").members;
    const anna = members.find((m) => m.id === "m-anna") as Doc;
    const carla = members.find((m) => m.id === "m-carla") as Doc;
    // Anna hands her swim pack to Carla; only Carla's document is sent.
    const carlaWith = { ...carla, multipacks: [...carla.multipacks, ...anna.multipacks] };
    await send(`sites/${SITE}/changes`, { rev: 1, members: [carlaWith], deletedMembers: [] });
    await wait(() => expect(client.counters().changesApplied).toBe(1));
    expect(syncState(t.store).lastRev).toBe(1);
    expect(explain(t.store, scanReq("5550001", "pool"), MONDAY_10)).toMatchObject({
      decision: "grant",
      memberId: "m-carla",
      multipackId: "mp-anna-swim",
    });
    expect(explain(t.store, scanReq("0001234567", "pool"), MONDAY_10).reason).toBe("no_entitlement");
  });

  it("logs what a config and a change changed, one info line per change by id (issue 10 §7)", async ({
    store: t,
    syncClient,
    centralPeer,
  }) => {
    importExamples(t.store);
    const central = await centralPeer("cfg4/v1", "gw-log");
    const log = memoryLogger("info");
    const client = syncClient({ store: t.store, gatewayId: "gw-log", prefix: "cfg4/v1", logger: log.logger });
    await wait(() => expect(central.got.hello).toHaveLength(1));
    const site = exampleDoc<{ accessTypes: Doc[]; limits: unknown[] } & Record<string, unknown>>("site.yaml");
    const accessTypes = site.accessTypes.map((a) =>
      a.id === "pool-peak" ? { ...a, windows: [{ days: ["tue"], from: "07:00", to: "09:00" }] } : a,
    );
    await central.send(`sites/${SITE}/config`, { rev: 1, config: { ...site, accessTypes, limits: [] } });
    await wait(() => expect(client.counters().configsApplied).toBe(1));
    const dario = exampleDoc<{ members: Doc[] }>("members.yaml").members.find(
      (m) => m.id === "m-dario",
    ) as Doc;
    const blocked = { ...dario, multipacks: [], blocks: [{ reason: "debt", from: "2027-03-01" }] };
    await central.send(`sites/${SITE}/changes`, { rev: 1, members: [blocked], deletedMembers: ["m-carla"] });
    await wait(() => expect(client.counters().changesApplied).toBe(1));
    expect(
      log
        .at("info")
        .filter((l) => l.change !== undefined)
        .map((l) => l.msg),
    ).toEqual([
      "sync: config rev 1: access type pool-peak: window tue 07:00–09:00 added",
      "sync: config rev 1: access type pool-peak: window mon,tue,wed,thu,fri 17:00–21:00 removed",
      "sync: config rev 1: limit studio-3-a-week removed",
      "sync: changes rev 1: member m-carla removed",
      "sync: changes rev 1: member m-dario: block debt from 2027-03-01 added",
      "sync: changes rev 1: member m-dario: multipack mp-dario-flex removed",
    ]);
  });
});

/**
 * sync.md "History horizon" and "Features" in the hello, on a real Mosquitto: the gateway's sync
 * client states the horizon of the site configuration it has (none before it has one), and the
 * reference central answers hellos with and without `historyDays` and `features` alike.
 */

import { describe, expect, vi } from "vitest";
import { HelloMessage, SyncMessage } from "../../config/protocol/payloads.js";
import type { SyncClientOptions } from "../../gateway/sync/client.js";
import { test } from "../harness/index.js";
import { exampleDoc } from "../helpers/examples.js";
import { helloFrom } from "../helpers/syncMessages.js";
import { importInputs, type TestStore } from "../store/storeHelpers.js";

const SITE = "rome-center";
const wait = (fn: () => void) => vi.waitFor(fn, { timeout: 10_000, interval: 20 });

const it = test.extend(
  "startClient",
  ({ syncClient }) =>
    (t: TestStore, prefix: string, g: string, more: Partial<SyncClientOptions> = {}) =>
      syncClient({ store: t.store, gatewayId: g, prefix, sync: { ackTimeoutMs: 300 }, ...more }),
);

describe("the history horizon in the hello", () => {
  it("states no horizon before a site configuration, and none is asked for by the first one", async ({
    store: t,
    startClient,
    centralPeer,
  }) => {
    const prefix = "h1/v1";
    const g = "gw-horizon";
    const c = await centralPeer(prefix, g);
    startClient(t, prefix, g, { features: ["commands"] });
    await wait(() => expect(c.got.hello).toHaveLength(1));
    const first = HelloMessage.parse(c.got.hello[0]);
    expect(first.features).toEqual(["commands"]);
    expect("historyDays" in first).toBe(false);

    // The first config asks for no hello (the one without a horizon already asked for everything):
    // the next hello is the one the second config's longer horizon asks for, with 31 days.
    const site = exampleDoc<{ limits: unknown[] }>("site.yaml");
    await c.send(`sites/${SITE}/config`, { rev: 1, config: site }, true);
    const monthly = {
      ...site,
      limits: [...site.limits, { id: "twenty-a-month", amount: 20, period: "month" }],
    };
    await c.send(`sites/${SITE}/config`, { rev: 2, config: monthly }, true);
    await wait(() => expect(c.got.hello.length).toBeGreaterThanOrEqual(2));
    expect(HelloMessage.parse(c.got.hello[1])).toMatchObject({ historyDays: 31, features: ["commands"] });
  });

  it("says hello again at once when a new config moves the horizon, and not when it keeps it", async ({
    store: t,
    startClient,
    centralPeer,
  }) => {
    const site = exampleDoc<{ site: Record<string, unknown>; limits: unknown[] }>("site.yaml");
    importInputs(t.store, [{ name: "site.json", text: JSON.stringify(site) }]);
    const c = await centralPeer("h4/v1", "gw-moved");
    const client = startClient(t, "h4/v1", "gw-moved");
    await wait(() => expect(c.got.hello).toHaveLength(1));
    expect(HelloMessage.parse(c.got.hello[0]).historyDays).toBe(7);

    const monthly = {
      ...site,
      limits: [...site.limits, { id: "twenty-a-month", amount: 20, period: "month" }],
    };
    await c.send(`sites/${SITE}/config`, { rev: 1, config: monthly }, true);
    await wait(() => expect(c.got.hello).toHaveLength(2));
    expect(HelloMessage.parse(c.got.hello[1]).historyDays).toBe(31);

    // Rev 2 keeps 31 days, rev 3 goes back to 7: the third hello is rev 3's (rev 2 asked for none).
    await c.send(
      `sites/${SITE}/config`,
      { rev: 2, config: { ...monthly, site: { ...site.site, holidays: [] } } },
      true,
    );
    await c.send(`sites/${SITE}/config`, { rev: 3, config: site }, true);
    await wait(() => expect(client.counters().configsApplied).toBe(3));
    await wait(() => expect(c.got.hello.length).toBeGreaterThanOrEqual(3));
    expect(HelloMessage.parse(c.got.hello[2]).historyDays).toBe(7);
  });

  it("states null (keep everything) when a validity limit covers a product valid indefinitely", async ({
    store: t,
    startClient,
    centralPeer,
  }) => {
    const site = exampleDoc<{ products: Record<string, unknown>[]; limits: unknown[] }>("site.yaml");
    site.products.push({
      id: "studio-forever",
      credits: 0,
      validity: { indefinite: true },
      items: [{ accessType: "studio-all", credits: 0 }],
    });
    site.limits.push({ id: "ten-classes", amount: 10, period: "validity", areas: ["studio"] });
    importInputs(t.store, [{ name: "site.json", text: JSON.stringify(site) }]);
    const c = await centralPeer("h2/v1", "gw-forever");
    startClient(t, "h2/v1", "gw-forever");
    await wait(() => expect(c.got.hello).toHaveLength(1));
    expect(HelloMessage.parse(c.got.hello[0]).historyDays).toBeNull();
  });
});

describe("the reference central and the hello's optional fields", () => {
  it("answers hellos with historyDays and features, with null, and without them, each with a snapshot", async ({
    central,
    watcher,
  }) => {
    const prefix = "h3/v1";
    const site = await central(prefix).start();
    const w = await watcher(`${prefix}/gateways/+/sync`, { qos: 1 });
    const hello = (g: string, more: Record<string, unknown>) => helloFrom(prefix, g, more);
    await w.send(hello("gw-old", {}));
    await w.send(hello("gw-new", { historyDays: 7, features: ["commands"] }));
    await w.send(hello("gw-all", { historyDays: null, features: [] }));

    await wait(() => expect(site.counters()).toMatchObject({ hellos: 3, snapshots: 3 }));
    for (const g of ["gw-old", "gw-new", "gw-all"]) {
      await wait(() => expect(w.on(`${prefix}/gateways/${g}/sync`).length).toBeGreaterThan(0));
      const answer = SyncMessage.parse(JSON.parse(w.on(`${prefix}/gateways/${g}/sync`)[0] ?? "{}"));
      expect(answer).toMatchObject({ snapshot: true, part: 1 });
    }
  });
});

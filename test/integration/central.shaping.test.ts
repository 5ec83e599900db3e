/**
 * sync.md "Features" and "History horizon" with the reference central on a real Mosquitto: each
 * hello is answered with documents shaped by what that gateway said it takes, the site's changes by
 * the least capable gateway known, and a configuration using `limits[].at` waits until every known
 * gateway of the site has `homeSite`.
 */

import { writeFileSync } from "node:fs";
import { describe, expect, vi } from "vitest";
import { stringify } from "yaml";
import type { Member } from "../../config/members.js";
import { ChangesMessage, SyncMessage } from "../../config/protocol/payloads.js";
import { test as it } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { exampleDoc } from "../helpers/examples.js";
import { memoryLogger } from "../helpers/logs.js";
import { helloFrom } from "../helpers/syncMessages.js";

const SITE = "rome-center";
const NOW = at("2027-03-26T12:00");
const wait = (fn: () => void) => vi.waitFor(fn, { timeout: 10_000, interval: 20 });

const hello = helloFrom;

/** Bruno's swim pack (one 8-credit entry of 2027-03-01 in the example members) in some messages. */
function brunoSwim(members: Member[]): Member["multipacks"][number] | undefined {
  return members.find((m) => m.id === "m-bruno")?.multipacks.find((mp) => mp.id === "mp-bruno-swim");
}

describe("the reference central shapes what it sends by the gateways' hellos", () => {
  it("R16: folds old entries into ledgerBefore for a gateway with historyHorizon, full ledgers for one without", async ({
    central,
    watcher,
  }) => {
    const prefix = "shape1/v1";
    const c = central(prefix, { clock: () => NOW });
    const site = await c.start();
    const w = await watcher(`${prefix}/#`, { qos: 1 });
    const answer = (g: string) =>
      w.on(`${prefix}/gateways/${g}/sync`).flatMap((p) => SyncMessage.parse(JSON.parse(p)).members);
    const changes = () =>
      w.on(`${prefix}/sites/${SITE}/changes`).map((p) => ChangesMessage.parse(JSON.parse(p)));

    await w.send(
      hello(prefix, "gw-new", { features: ["visits", "historyHorizon", "homeSite"], historyDays: 7 }),
    );
    await w.send(hello(prefix, "gw-old", {}));
    await wait(() => expect(site.counters()).toMatchObject({ snapshots: 2 }));
    await wait(() => expect(brunoSwim(answer("gw-old"))).toBeDefined());
    await wait(() => expect(brunoSwim(answer("gw-new"))).toBeDefined());
    // Seven days back from 2027-03-26, from local midnight: the entry of 2027-03-01 is in the sums.
    expect(brunoSwim(answer("gw-new"))).toMatchObject({
      ledger: [],
      ledgerBefore: { used: 8, added: 0, through: "2027-03-18T23:00:00.000Z" },
    });
    expect(brunoSwim(answer("gw-old"))?.ledger).toHaveLength(1);
    expect(brunoSwim(answer("gw-old"))).not.toHaveProperty("ledgerBefore");

    // A change goes to the whole site: gw-old takes only full ledgers.
    const members = exampleDoc<{ members: { id: string; name?: string }[] }>("members.yaml");
    const renamed = (name: string) => ({
      members: members.members.map((m) => (m.id === "m-bruno" ? { ...m, name } : m)),
    });
    c.writeMembers(renamed("Bruno B."));
    await wait(() => expect(changes()).toHaveLength(1));
    expect(brunoSwim(changes()[0]?.members ?? [])?.ledger).toHaveLength(1);

    // Once gw-old states a horizon too (10 days), changes fold at the longer of the two.
    await w.send(hello(prefix, "gw-old", { features: ["historyHorizon"], historyDays: 10 }));
    await wait(() => expect(site.counters()).toMatchObject({ hellos: 3 }));
    c.writeMembers(renamed("Bruno C."));
    await wait(() => expect(changes()).toHaveLength(2));
    expect(brunoSwim(changes()[1]?.members ?? [])).toMatchObject({
      ledger: [],
      ledgerBefore: { used: 8, added: 0, through: "2027-03-15T23:00:00.000Z" },
    });
  });

  it("a gateway silent for longer than --stale-gateway-days no longer holds the site's changes back; its next hello counts again", async ({
    central,
    watcher,
  }) => {
    const prefix = "shape3/v1";
    let now = NOW;
    const c = central(prefix, { clock: () => now, staleGatewayDays: 30 });
    const site = await c.start();
    const w = await watcher(`${prefix}/sites/${SITE}/changes`, { qos: 1 });
    const changes = () =>
      w.on(`${prefix}/sites/${SITE}/changes`).map((p) => ChangesMessage.parse(JSON.parse(p)));
    const members = exampleDoc<{ members: { id: string; name?: string }[] }>("members.yaml");
    const rename = (name: string) =>
      c.writeMembers({ members: members.members.map((m) => (m.id === "m-bruno" ? { ...m, name } : m)) });
    const horizon = { features: ["visits", "historyHorizon", "homeSite"], historyDays: 7 };
    await w.send(hello(prefix, "gw-new", horizon));
    await w.send(hello(prefix, "gw-old", {}));
    await wait(() => expect(site.counters()).toMatchObject({ hellos: 2 }));

    // 29 days later gw-old still counts: full ledgers for the site.
    now = NOW + 29 * 86_400_000;
    rename("Bruno B.");
    await wait(() => expect(changes()).toHaveLength(1));
    expect(brunoSwim(changes()[0]?.members ?? [])?.ledger).toHaveLength(1);

    // 31 days after its last hello (gw-new said hello since): only gw-new's horizon counts.
    await w.send(hello(prefix, "gw-new", horizon));
    await wait(() => expect(site.counters()).toMatchObject({ hellos: 3 }));
    now = NOW + 31 * 86_400_000;
    rename("Bruno C.");
    await wait(() => expect(changes()).toHaveLength(2));
    expect(brunoSwim(changes()[1]?.members ?? [])).toMatchObject({ ledger: [], ledgerBefore: { used: 8 } });

    // gw-old comes back: its hello counts again at once.
    await w.send(hello(prefix, "gw-old", {}));
    await wait(() => expect(site.counters()).toMatchObject({ hellos: 4 }));
    rename("Bruno D.");
    await wait(() => expect(changes()).toHaveLength(3));
    expect(brunoSwim(changes()[2]?.members ?? [])?.ledger).toHaveLength(1);
    expect(brunoSwim(changes()[2]?.members ?? [])).not.toHaveProperty("ledgerBefore");
  });

  it("R20: withholds a configuration using limits[].at while a known gateway lacks homeSite", async ({
    central,
    watcher,
  }) => {
    const prefix = "shape2/v1";
    const log = memoryLogger("info");
    const c = central(prefix, { clock: () => NOW, logger: log.logger });
    const warned = (start: string) => log.at("warn").filter((l) => String(l.msg).startsWith(start));
    const site = await c.start();
    const w = await watcher(`${prefix}/sites/${SITE}/config`, { qos: 1 });
    const revs = () =>
      w.on(`${prefix}/sites/${SITE}/config`).map((p) => (JSON.parse(p) as { rev: number }).rev);
    await wait(() => expect(revs()).toEqual([1]));
    await w.send(hello(prefix, "gw-old", { features: ["commands"] }));
    await wait(() => expect(site.counters()).toMatchObject({ hellos: 1 }));

    const config = exampleDoc<{ limits: unknown[] }>("site.yaml");
    config.limits.push({ id: "two-home-swims", amount: 2, period: "day", areas: ["pool"], at: "home" });
    writeFileSync(c.siteFile, stringify(config));
    await wait(() => expect(site.counters()).toMatchObject({ reloadsAccepted: 1, configsWithheld: 1 }));
    expect(site.configRev()).toBe(2);
    expect(revs()).toEqual([1]);
    expect(warned("config withheld")).toMatchObject([{ configRev: 2, gateways: ["gw-old"] }]);
    // Said again at each hello of a gateway that lacks the feature, the config still held back.
    await w.send(hello(prefix, "gw-old", { features: ["commands"] }));
    await wait(() => expect(warned("gateway lacks the homeSite feature")).toHaveLength(1));
    expect(revs()).toEqual([1]);

    // The gateway is upgraded: its hello with homeSite lets the configuration out.
    await w.send(hello(prefix, "gw-old", { features: ["commands", "homeSite"] }));
    await wait(() => expect(revs()).toEqual([1, 2]));
    expect(site.counters().configsWithheld).toBe(1);
    expect(warned("config withheld")).toHaveLength(1);
  });
});

/**
 * The editor's save reaches the gateways through the central's one publish path (issue 11 §2): the
 * backend writes the site file, the central's file watcher reads it and publishes the next config
 * revision, and a gateway running the real sync client decides with it. What-if reads the scans the
 * gateway sent to the central.
 */
import { dirname, join } from "node:path";
import { describe, expect, vi } from "vitest";
import type { SiteSections } from "../../central/editor/editorApi.js";
import { createEditorBackend } from "../../central/editor/editorBackend.js";
import { explain, scan } from "../../gateway/decisions.js";
import { syncState } from "../../gateway/store/db.js";
import { outboxDepth } from "../../gateway/store/outbox.js";
import { test } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { silentLogger } from "../helpers/logs.js";
import { scanReq } from "../store/storeHelpers.js";

const wait = (fn: () => void) => vi.waitFor(fn, { timeout: 10_000, interval: 20 });
const TUESDAY_0645 = at("2027-03-23T06:45");

describe("saving from the editor", () => {
  test("R3: a window opened earlier is saved, published by the central's watcher and applied by the gateway", async ({
    central,
    newStore,
    syncClient,
  }) => {
    const site = central("ed1/v1", { watchIntervalMs: 50 });
    const c = await site.start();
    const gw = newStore();
    const client = syncClient({
      store: gw.store,
      gatewayId: "gw-a",
      prefix: "ed1/v1",
      sync: { ackTimeoutMs: 300 },
    });
    await wait(() => expect(syncState(gw.store)).toMatchObject({ configRev: 1, lastRev: c.siteRev() }));
    // Anna is refused at 06:45 on Tuesday: the pool's weekday off-peak window opens at 07:00.
    const refused = scan(gw.store, scanReq("1234567", "pool"), TUESDAY_0645, "gw-a");
    expect(refused.reason).toBe("outside_time_window");
    client.poke();
    await wait(() => expect(outboxDepth(gw.store)).toBe(0));

    const backend = createEditorBackend({
      siteConfigFile: site.siteFile,
      membersFile: site.membersFile,
      siteId: "rome-center",
      dataDir: join(dirname(site.siteFile), "central-data"),
      source: c,
      logger: silentLogger(),
    });
    const draft = structuredClone(backend.current()) as SiteSections;
    (draft.accessTypes[1]?.windows[0] as { from: string }).from = "06:30";
    const report = backend.whatIf(draft, 7, at("2027-03-28T12:00"));
    expect(report.changes.map((ch) => [ch.memberName, ch.before.reason, ch.after.reason])).toEqual([
      ["Anna", "outside_time_window", "ok"],
    ]);

    backend.save(draft, "maria", "the pool opens at 06:30", at("2027-03-28T12:00"));
    await wait(() => expect(c.configRev()).toBe(2));
    await wait(() => expect(syncState(gw.store).configRev).toBe(2));
    expect(explain(gw.store, scanReq("1234567", "pool"), TUESDAY_0645)).toMatchObject({
      decision: "grant",
      reason: "ok",
    });
    expect(c.counters().reloadsAccepted).toBe(1);
  });
});

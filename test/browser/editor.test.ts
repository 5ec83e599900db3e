/**
 * The facility manager's editor in a real browser (issue 11 "Tests"): Debian's Chromium drives the
 * central's `--http` pages over a real central, a real Mosquitto and an in-process gateway with the
 * real sync client. The site's pool opens at 08:00 on weekdays; Anna was refused at the pool gate last
 * Tuesday at 07:30 and the central holds that scan. The manager logs in, opens the pool at 07:00 in
 * the window editor, sees the check, the diff and the what-if (Anna now admitted), saves with a
 * reason, sees the history, and the gateway then admits Anna at Tuesday 07:30. A desk login gets 403.
 * The tests run in order on one rig; each page is photographed into test-output/screenshots/.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { describe, expect, vi } from "vitest";
import { centralConsoleRouter } from "../../central/centralConsole.js";
import { CentralWeb } from "../../central/centralWeb.js";
import { GatewayConfig } from "../../config/gateway.js";
import { SimTasmotaDevice } from "../../firmware-sim/devices/tasmotaDevice.js";
import { syncState } from "../../gateway/store/db.js";
import { listEvents } from "../../gateway/store/events.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { UsersFile } from "../../web/users.js";
import { CleanupStack } from "../harness/cleanup.js";
import { gateways } from "../harness/gateway.js";
import { test } from "../harness/index.js";
import { centralSites, FAST_BACKOFF } from "../harness/sync.js";
import { launchChromium, SCREENSHOTS, screenshot } from "../helpers/browser.js";
import { at, clockFrom } from "../helpers/build.js";
import { silentLogger } from "../helpers/logs.js";
import { freshStore } from "../store/storeHelpers.js";

const PREFIX = "browsered/v1";
const GW = "gw-pool";
const ANNA = 1_234_567;
/** "Now" at the central: a Wednesday, so last Tuesday is inside the what-if's 7 days. */
const WEDNESDAY = at("2027-03-24T10:00");
/** The gateway's time: last Tuesday at 07:30, half an hour before the pool opens. */
const TUESDAY_0730 = at("2027-03-23T07:30");
const VIEWPORT = { width: 1024, height: 700 };
const MANAGER = { user: "maria", password: "pool-manager-pw" };
const DESK = { user: "dora", password: "front-desk-pw" };
const wait = (fn: () => void) => vi.waitFor(fn, { timeout: 10_000, interval: 25 });

/** The example site with the pool opening at 08:00 on weekdays (and a comment a save must keep). */
function poolAtEight(siteFile: string): void {
  const text = readFileSync(siteFile, "utf8");
  const weekdays = '- { days: [mon, tue, wed, thu, fri], from: "07:00", to: "17:00" }';
  if (!text.includes(weekdays)) throw new Error("the worked example's pool window moved");
  writeFileSync(
    siteFile,
    text.replace(
      weekdays,
      `# The pool opens at 08:00 on weekdays.\n      ${weekdays.replace("07:00", "08:00")}`,
    ),
  );
}

/** One central (with its editor), gateway, pool-gate device and browser for the whole file. */
async function startRig(brokerUrl: string, defer: CleanupStack["defer"]) {
  const site = centralSites(brokerUrl, defer)(PREFIX, {
    clock: clockFrom(WEDNESDAY),
    watchIntervalMs: 50,
  });
  poolAtEight(site.siteFile);
  const central = await site.start();
  const dataDir = join(dirname(site.siteFile), "central-data");
  const users = new UsersFile(dataDir, Date.now);
  await users.add(MANAGER.user, "manager", MANAGER.password);
  await users.add(DESK.user, "desk", DESK.password);
  const router = centralConsoleRouter({
    siteId: "rome-center",
    siteConfigFile: site.siteFile,
    membersFile: site.membersFile,
    dataDir,
    source: central,
    clock: clockFrom(WEDNESDAY),
    logger: silentLogger(),
  });
  const web = new CentralWeb({ listen: { host: "127.0.0.1", port: 0 }, router, logger: silentLogger() });
  await web.start();
  defer(() => web.stop());

  // The pool gate: a Tasmota with a PN532 reader and the gate's relay on POWER1.
  const device = new SimTasmotaDevice({
    url: brokerUrl,
    topic: "pool-gate",
    relays: 1,
    scheduler: realScheduler,
  });
  await device.start();
  defer(() => device.stop());
  const store = freshStore();
  defer(store.close);
  const gateway = await gateways(
    () => store.store,
    defer,
  )({
    config: GatewayConfig.parse({
      gateway: { id: GW, site: "rome-center" },
      mqtt: { url: brokerUrl },
      sync: { enabled: true, topicPrefix: PREFIX },
      readers: [
        {
          id: "pool-in",
          driver: "mqtt-tasmota",
          topic: "pool-gate",
          cardNumber: "decimal",
          area: "pool",
          direction: "in",
          door: "pool-gate",
        },
      ],
      doors: [{ id: "pool-gate", relay: "pool-relay", channel: 1, pulseMs: 200 }],
      relays: [{ id: "pool-relay", driver: "mqtt-tasmota", topic: "pool-gate" }],
    }),
    gatewayId: GW,
    clock: clockFrom(TUESDAY_0730),
    backoff: FAST_BACKOFF,
  });
  const browser: Browser = await launchChromium();
  defer(() => browser.close());
  return { site, central, gateway, device, store, browser, base: `http://127.0.0.1:${web.address()?.port}` };
}

const it = test.extend("rig", { scope: "file" }, async ({ broker }, { onCleanup }) => {
  const stack = new CleanupStack();
  onCleanup(() => stack.run());
  return startRig(broker.url, stack.defer);
});

/** Logs `who` in through the login page in a fresh browser context at the fixed viewport. */
async function logIn(browser: Browser, base: string, who: { user: string; password: string }): Promise<Page> {
  const page = await (await browser.newContext({ viewport: VIEWPORT })).newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(`${base}/login`);
  await page.getByLabel("User").fill(who.user);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Log in" }).click();
  return page;
}

/** Photographs the page's first `count` panels (section.panel) alone, as SCREENSHOTS/NAME.png. */
async function photographPanels(page: Page, count: number, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  const first = await page.locator("section.panel").first().boundingBox();
  const last = await page
    .locator("section.panel")
    .nth(count - 1)
    .boundingBox();
  if (!first || !last) throw new Error("the review page has no panels to photograph");
  const y = first.y - 8;
  const clip = { x: 0, y, width: VIEWPORT.width, height: last.y + last.height + 8 - y };
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true, clip });
}

/** Follows the navigation's link to a page of the editor. */
function openPage(page: Page, name: string): Promise<void> {
  return page.getByRole("navigation").getByRole("link", { name }).click();
}

/** The pool gate's decisions at the gateway, oldest first: [decision, reason]. */
function poolDecisions(rig: { store: { store: Parameters<typeof listEvents>[0] } }) {
  return listEvents(rig.store.store).map((e) => [e.decision, e.reason]);
}

let manager: Page;

describe.sequential("the facility manager's editor in Chromium", () => {
  it("R3: Anna is refused at the pool gate on Tuesday at 07:30 and the central holds the scan", async ({
    rig,
  }) => {
    await wait(() =>
      expect(syncState(rig.store.store)).toMatchObject({ configRev: 1, lastRev: rig.central.siteRev() }),
    );
    await wait(() => expect(rig.gateway.status().readers.map((r) => r.state)).toEqual(["open"]));
    expect(rig.device.presentCard(ANNA)).toBe(true);
    await wait(() => expect(poolDecisions(rig)).toEqual([["deny", "outside_time_window"]]));
    await wait(() => expect(rig.central.counters().eventsStored).toBe(1));
    expect(rig.device.history).toEqual([]);
  });

  it("logs the manager in and lands on the editor", async ({ rig }) => {
    const page = await (await rig.browser.newContext({ viewport: VIEWPORT })).newPage();
    await page.goto(`${rig.base}/editor`);
    await expect.poll(() => new URL(page.url()).pathname).toBe("/login");
    await screenshot(page, "editor-login");
    await page.close();
    manager = await logIn(rig.browser, rig.base, MANAGER);
    await expect.poll(() => new URL(manager.url()).pathname).toBe("/editor/areas");
    await expect
      .poll(() => manager.locator("#draft-state").textContent())
      .toBe("No changes: this is the configuration in force.");
  });

  it("R3: the window editor names a bad time as you type, and takes 07:00 without a problem", async () => {
    await openPage(manager, "Access types");
    await manager.locator("summary", { hasText: "pool-offpeak" }).click();
    const window = manager.locator('[data-path="accessTypes.1.windows.0"]');
    const from = window.locator('[data-path="accessTypes.1.windows.0.from"]');
    await from.locator("input").fill("25:00");
    // The problem sits in the field labelled "From" (marked invalid), in import's words.
    await expect
      .poll(() => from.locator(".problem").textContent())
      .toBe('expected a time "HH:MM" between 00:00 and 24:00 (found "25:00")');
    expect(await from.locator("span").first().textContent()).toBe("From");
    await expect.poll(() => from.getAttribute("aria-invalid")).toBe("true");
    await expect
      .poll(() => manager.locator("#draft-state").textContent())
      .toMatch(/^Draft, not saved: 1 problem\./);
    await screenshot(manager, "editor-access-types-problem");
    await from.locator("input").fill("07:00");
    await expect
      .poll(() => manager.locator("#draft-state").textContent())
      .toBe("Draft, not saved: no problems. Review and save it when ready.");
    expect(await manager.locator("#section-form .problem:visible").count()).toBe(0);
    expect(await manager.locator("#draft-problems li").count()).toBe(0);
    await screenshot(manager, "editor-access-types");
  });

  it("keeps the draft while the manager looks at products and limits", async () => {
    for (const [link, name, record] of [
      ["Products", "editor-products", "swim10"],
      ["Limits", "editor-limits", "studio-3-a-week"],
    ] as const) {
      await openPage(manager, link);
      await manager.locator("summary", { hasText: record }).click();
      await expect
        .poll(() => manager.locator("#draft-state").textContent())
        .toMatch(/^Draft, not saved: no problems/);
      await screenshot(manager, name);
    }
  });

  it("R3: the review shows the diff and a what-if with Anna refused last Tuesday at 07:30 now admitted", async () => {
    await openPage(manager, "Review & save");
    await manager.getByRole("button", { name: "Show the changes" }).click();
    const diff = manager.locator("#diff-result");
    await expect.poll(() => diff.textContent()).toContain("pool-offpeak");
    // A window is compared whole (docs/what-if.md): the old one goes, the new one comes.
    expect(await diff.locator("li li").allTextContents()).toEqual([
      "window removed: mon,tue,wed,thu,fri 08:00–17:00",
      "window added: mon,tue,wed,thu,fri 07:00–17:00",
    ]);

    await manager.getByRole("button", { name: "Replay" }).click();
    const rows = manager.locator("#whatif-result tbody tr");
    await expect.poll(() => rows.count()).toBe(1);
    const cells = (await rows.first().locator("td").allInnerTexts()).map((t) =>
      t.replace(/\s+/g, " ").trim(),
    );
    expect(cells[0]).toMatch(/Tue.*23.*07:30/);
    expect(cells.slice(1)).toEqual([
      "Anna 1234567",
      "pool pool-in",
      "DENIED outside_time_window",
      "GRANTED ok",
      "0 → 1",
    ]);
    expect(await manager.locator("#whatif-result > div > p").textContent()).toMatch(
      /^1 scan from .*: 1 would change — 1 newly granted, 0 newly denied; credits taken 0 → 1\.$/,
    );
    await screenshot(manager, "editor-review");
    // The README's picture (docs/screenshots/editor-whatif.png is a copy of it).
    await photographPanels(manager, 2, "editor-whatif");
  });

  it("saves with a reason, shows who and why in the history, and the gateway admits Anna at Tuesday 07:30", async ({
    rig,
  }) => {
    await manager.getByLabel("Why (kept in the history)").fill("the pool opens at 07:00 from Monday");
    await manager.getByRole("button", { name: "Save the draft" }).click();
    await expect
      .poll(() => manager.locator("#save-result").textContent())
      .toMatch(/^Saved as revision .* \(1 record changed\)\. See the history$/);
    await manager.getByRole("link", { name: "See the history" }).click();
    const row = manager.locator("tbody tr");
    expect((await row.locator("td").allInnerTexts()).slice(1)).toEqual([
      MANAGER.user,
      "the pool opens at 07:00 from Monday",
      "1",
    ]);
    await screenshot(manager, "editor-history");
    // The save kept the file's comment; the central published it as config revision 2.
    expect(readFileSync(rig.site.siteFile, "utf8")).toContain("# The pool opens at 08:00 on weekdays.");
    await wait(() => expect(syncState(rig.store.store).configRev).toBe(2));

    expect(rig.device.presentCard(ANNA)).toBe(true);
    await wait(() =>
      expect(poolDecisions(rig)).toEqual([
        ["deny", "outside_time_window"],
        ["grant", "ok"],
      ]),
    );
    await wait(() =>
      expect(rig.device.history.map((c) => [c.channel, c.on])).toEqual([
        [1, true],
        [1, false],
      ]),
    );
  });

  it("answers a desk login 403 on the editor", async ({ rig }) => {
    const page = await logIn(rig.browser, rig.base, DESK);
    const res = await page.goto(`${rig.base}/editor`);
    expect(res?.status()).toBe(403);
    expect(await page.textContent("body")).toContain("dora is desk; this needs the manager role");
  });
});

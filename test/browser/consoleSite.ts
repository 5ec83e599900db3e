/**
 * The browser tests' site and the fixture that runs it: the real daemon with its console
 * (bench/consoleRig.ts) and one headless Chromium, both once per test file, shared by its tests in
 * sequence; each test opens its own browser context (its own cookies) at a fixed, small viewport.
 * `browserTest` builds the same fixtures on another site (osdpSite.ts: OSDP readers).
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { type ConsoleRig, startConsoleRig } from "../../bench/consoleRig.js";
import { ROOT } from "../e2e/accessgw.js";
import { CleanupStack } from "../harness/cleanup.js";
import { test as harness } from "../harness/index.js";
import { launchChromium } from "../helpers/browser.js";
import { tempDir } from "../helpers/build.js";

/** Eve swims at any hour (two packs); Bob's only pack is for early mornings on weekdays. */
export const SITE = `site: { id: browser-site, timezone: UTC }
areas:
  - { id: pool, name: Pool, capacity: 40 }
accessTypes:
  - id: pool-any
    areas: [pool]
    windows: [{ days: [mon, tue, wed, thu, fri, sat, sun, hol], from: "00:00", to: "24:00" }]
  - id: pool-early
    areas: [pool]
    windows: [{ days: [mon, tue, wed, thu, fri], from: "06:00", to: "09:00" }]
products:
  - id: forever10
    name: Ten swims
    credits: 10
    validity: { indefinite: true }
    items: [{ accessType: pool-any, credits: 1, priority: 1 }]
  - id: guest5
    name: Five guest swims
    credits: 5
    validity: { indefinite: true }
    items: [{ accessType: pool-any, credits: 1, priority: 2 }]
  - id: early10
    name: Early birds
    credits: 10
    validity: { indefinite: true }
    items: [{ accessType: pool-early, credits: 1, priority: 1 }]
`;

export const MEMBERS = `members:
  - id: m-eve
    name: Eve Adams
    cards: [{ number: "1234567", status: active }]
    multipacks:
      - { id: mp-eve-10, product: forever10, purchasedAt: "2020-01-01T10:00:00Z", status: active }
      - { id: mp-eve-guest, product: guest5, purchasedAt: "2020-01-01T10:00:00Z", status: active }
  - id: m-bob
    name: Bob Early
    cards: [{ number: "7654321", status: active }]
    multipacks:
      - { id: mp-bob, product: early10, purchasedAt: "2020-01-01T10:00:00Z", status: active }
`;

/** The logins: one per role the console serves. */
export const USERS = {
  desk: { name: "giulia", role: "desk", password: "front desk 1" },
  viewer: { name: "vera", role: "viewer", password: "just looking" },
  technician: { name: "tomas", role: "technician", password: "wires and relays" },
} as const;

/** The viewport every screenshot is taken at (small PNGs). */
export const VIEWPORT = { width: 1024, height: 700 };

/**
 * The harness with `site` (what `start` starts in a fresh folder: a daemon and its console URL,
 * and the devices it reads) and `chromium`, each once per file, and `newPage(viewport?)`: a page
 * in a fresh context, closed after the test.
 */
export function browserTest<S extends { url: string; stop: () => Promise<void> }>(
  start: (dir: string) => Promise<S>,
) {
  return (
    harness
      // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
      .extend("site", { scope: "file" }, async ({}, { onCleanup }): Promise<S> => {
        const cleanups = new CleanupStack();
        onCleanup(() => cleanups.run());
        const folder = tempDir("accessgw-browser-");
        cleanups.defer(folder.cleanup);
        const site = await start(folder.dir);
        cleanups.defer(site.stop);
        return site;
      })
      // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
      .extend("chromium", { scope: "file" }, async ({}, { onCleanup }): Promise<Browser> => {
        const browser = await launchChromium();
        onCleanup(() => browser.close());
        return browser;
      })
      .extend("newPage", ({ chromium, site, defer }) => async (viewport = VIEWPORT): Promise<Page> => {
        const context: BrowserContext = await chromium.newContext({ viewport, baseURL: site.url });
        defer(() => context.close());
        return context.newPage();
      })
  );
}

/** The console site: the daemon with a serial-line reader and an LCUS board, the users above. */
export const test = browserTest(
  (dir): Promise<ConsoleRig> =>
    startConsoleRig({ root: ROOT, dir, site: SITE, members: MEMBERS, users: Object.values(USERS) }),
);

/** The same as `test`, for files that say `it`. */
export const it = test;

/** Logs in at /login as `user`; resolves once the console's page has loaded. */
export async function logIn(page: Page, user: { name: string; password: string }): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("User").fill(user.name);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(/\/console/);
}

/**
 * Issue 13 §6 in a real browser (Debian's Chromium through playwright-core): the console's Devices
 * page shows each OSDP PD's online state, secure channel, tamper and power, as a technician sees it
 * on the built daemon reading three simulated PDs on one pty bus (osdpSite.ts). The page fetches
 * its device sections again every 2 s by itself: the first tests reload it as a technician may,
 * the last one only watches the open page. One daemon and one Chromium for the file; the tests run
 * in sequence on it.
 */
import type { Page } from "playwright-core";
import { describe, expect } from "vitest";
import { screenshot } from "../helpers/browser.js";
import { logIn, USERS } from "./consoleSite.js";
import { it, PDS } from "./osdpSite.js";

/**
 * The bus answers within a second or two of the daemon's start; a handshake that fails on a loaded
 * machine is tried again 10 s later, so the wait allows for a second one.
 */
const SETTLE_MS = 25_000;
/**
 * A PD is offline after 8 s without a reply (OSDP), and tried again every 2 s once it is: the
 * daemon runs OSDP's own timings (gateway.yaml has no setting for them), so these are real waits.
 */
const OFFLINE_MS = 25_000;
/** A change at an answering PD reaches the gateway at its next poll (every 50 ms or so): a reload or two. */
const SHOWN_MS = 10_000;
/** A test that waits out the offline time and a return, with room for a loaded machine. */
const LONG_TEST_MS = 120_000;

/** The PD line of a reader's row: the span named by its PD's address. */
function pdLine(page: Page, readerId: keyof typeof PDS) {
  return page.locator(`tr[data-device="${readerId}"] [data-osdp="${PDS[readerId]}"]`);
}

/** The text of a reader's PD line; "" when the page has none (a missing line fails at once, no wait). */
async function pdText(page: Page, readerId: keyof typeof PDS): Promise<string> {
  return (await pdLine(page, readerId).allTextContents()).join(" | ");
}

/** Reloads the page until `readerId`'s PD line reads `text`, as a technician would. */
async function reloadUntil(page: Page, readerId: keyof typeof PDS, text: string | RegExp, timeout: number) {
  const line = expect.poll(
    async () => {
      await page.reload();
      return pdText(page, readerId);
    },
    { timeout, interval: 500 },
  );
  if (typeof text === "string") await line.toBe(text);
  else await line.toMatch(text);
}

/** Watches the open page, never reloading it, until `readerId`'s PD line reads `text`. */
async function watchUntil(page: Page, readerId: keyof typeof PDS, text: string | RegExp, timeout: number) {
  const line = expect.poll(() => pdText(page, readerId), { timeout, interval: 250 });
  if (typeof text === "string") await line.toBe(text);
  else await line.toMatch(text);
}

/** The Devices page, logged in as the technician. */
async function devicesPage(newPage: () => Promise<Page>): Promise<Page> {
  const page = await newPage();
  await logIn(page, USERS.technician);
  await page.getByRole("link", { name: "Devices" }).click();
  await page.waitForURL(/\/console\/devices$/);
  return page;
}

/** The problems listed at the top of the page. */
const problems = (page: Page) => page.locator("ul.problems li").allTextContents();

describe.sequential("the Devices page's OSDP PDs in Chromium (issue 13 §6)", () => {
  it(
    "technician: each reader's PD online, with its secure channel, tamper and power; install mode among the problems",
    async ({ newPage }) => {
      const page = await devicesPage(newPage);
      await reloadUntil(
        page,
        "gym-in",
        "PD 1 online · secure channel established · tamper ok · power ok",
        SETTLE_MS,
      );
      await reloadUntil(
        page,
        "gym-side",
        "PD 2 online · secure channel INSTALL MODE (default key) · tamper ok · power ok",
        SETTLE_MS,
      );
      expect(await pdText(page, "gym-back")).toBe(
        "PD 3 online · secure channel off by configuration · tamper ok · power ok",
      );
      // Each line sits under its reader's health: the row says which reader the PD is.
      for (const id of Object.keys(PDS))
        expect(await page.locator(`tr[data-device="${id}"] td`).first().textContent()).toBe(id);
      expect(await page.locator("tr[data-device] span.good").count()).toBe(3);
      expect(await problems(page)).toEqual([
        "reader gym-side: OSDP PD 2 in install mode (default key SCBK-D): set its key with accessgw osdp keyset",
      ]);
      await screenshot(page, "devices-osdp");
    },
    LONG_TEST_MS,
  );

  it("technician: a PD's tamper switch opened and another's power failing show on the next reload, and clear again", async ({
    newPage,
    site,
  }) => {
    const page = await devicesPage(newPage);
    site.pd("gym-in").setTamper(true);
    site.pd("gym-back").setPowerFailure(true);
    await reloadUntil(
      page,
      "gym-in",
      "PD 1 online · secure channel established · TAMPER · power ok",
      SHOWN_MS,
    );
    await reloadUntil(
      page,
      "gym-back",
      "PD 3 online · secure channel off by configuration · tamper ok · POWER FAILURE",
      SHOWN_MS,
    );
    // Tamper is a problem; a power failure the PD reports is shown, not a problem of its own.
    expect(await problems(page)).toContain(
      "reader gym-in: OSDP PD 1 tamper: the reader was opened or taken off the wall",
    );
    expect((await problems(page)).filter((p) => /gym-back/.test(p))).toEqual([]);
    await screenshot(page, "devices-osdp-tamper");

    site.pd("gym-in").setTamper(false);
    site.pd("gym-back").setPowerFailure(false);
    await reloadUntil(
      page,
      "gym-in",
      "PD 1 online · secure channel established · tamper ok · power ok",
      SHOWN_MS,
    );
    await reloadUntil(
      page,
      "gym-back",
      "PD 3 online · secure channel off by configuration · tamper ok · power ok",
      SHOWN_MS,
    );
    expect((await problems(page)).filter((p) => /tamper/.test(p))).toEqual([]);
  });

  it(
    "technician: a PD that stops answering shows OFFLINE after OSDP's 8 s, its reader BAD, and online again once it answers, on the open page without a reload",
    async ({ newPage, site }) => {
      const page = await devicesPage(newPage);
      // Marks the document: a reload would lose it.
      await page.evaluate(() => Object.assign(window, { notReloaded: true }));
      site.pd("gym-back").setFault("silent");
      await watchUntil(page, "gym-back", /^PD 3 OFFLINE · /, OFFLINE_MS);
      const health = page.locator('tr[data-device="gym-back"] td').nth(2);
      expect(await health.locator("span.bad").textContent()).toBe("BAD");
      expect(await health.textContent()).toContain("does not answer");
      // The other PDs on the same bus go on answering.
      expect(await pdText(page, "gym-in")).toMatch(/^PD 1 online · /);
      await screenshot(page, "devices-osdp-offline");

      site.pd("gym-back").setFault("none");
      await watchUntil(
        page,
        "gym-back",
        "PD 3 online · secure channel off by configuration · tamper ok · power ok",
        OFFLINE_MS,
      );
      expect(await page.locator('tr[data-device="gym-back"] span.good').count()).toBe(1);
      expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
        true,
      );
    },
    LONG_TEST_MS,
  );
});

/**
 * Issue 11's console in a real browser (Debian's Chromium through playwright-core) against the real
 * daemon: the built binary with its `http:` listener, users added with `accessgw user add`, a
 * simulated serial reader and LCUS board. One daemon and one Chromium for the file; the tests run in
 * sequence on the same data (Eve's scan comes before her admit, the lock last: it locks 127.0.0.1).
 * Every page is photographed into test-output/screenshots/ for a reviewer.
 */
import { readFileSync } from "node:fs";
import { describe, expect } from "vitest";
import { screenshot } from "../helpers/browser.js";
import { it, logIn, USERS } from "./consoleSite.js";

/** How long a live page may take to show a decision or a mode (the 1 s figure is the benchmark's). */
const LIVE_WAIT_MS = 5000;
/** A mode set elsewhere reaches the live page as a `panels` event, which fetches its door panel. */
const PANEL_WAIT_MS = LIVE_WAIT_MS;

describe.sequential("the gateway console in Chromium (issue 11)", () => {
  it("desk: a card scanned at the reader appears on the live page with the member's name, without a reload", async ({
    newPage,
    site,
  }) => {
    const page = await newPage();
    await page.goto("/console/live");
    await page.waitForURL(/\/login/);
    await screenshot(page, "login");
    await logIn(page, USERS.desk);
    await expect.poll(() => page.url()).toMatch(/\/console\/live$/);
    // A mark on the window: a reload would wipe it.
    await page.evaluate(() => Object.assign(window, { notReloaded: true }));
    const rows = page.locator("#decisions tbody tr");
    const before = await rows.count();

    expect(site.reader.present("1234567")).toBe(true);
    const row = rows.filter({ hasText: "Eve Adams" }).first();
    await row.waitFor({ timeout: LIVE_WAIT_MS });
    await expect.poll(() => rows.count()).toBe(before + 1);
    expect(await row.locator("td").allTextContents()).toEqual([
      expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      "pool-gate",
      "GRANTED",
      "Eve Adams",
      expect.any(String),
      "ok",
      "1234567",
    ]);
    expect(await page.evaluate(() => (window as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await screenshot(page, "live");
  });

  it("desk: finds a member by name and explains a refusal, the trace in words", async ({ newPage }) => {
    const page = await newPage();
    await logIn(page, USERS.desk);
    await page.getByRole("link", { name: "Member" }).click();
    await page.getByLabel("Card or name").fill("bob");
    await page.getByRole("button", { name: "Find" }).click();
    await page.waitForURL(/\/console\/member\/m-bob$/);
    await expect.poll(() => page.locator("h1").textContent()).toBe("Bob Early");

    // A Saturday noon: Bob's only pack is for weekday mornings.
    const explain = page.locator("form.explain");
    await explain.getByLabel("Reader").selectOption("pool-in");
    await explain.getByLabel("Time").fill("2027-03-20T12:00");
    await explain.getByRole("button", { name: "Explain" }).click();
    const answer = page.locator("pre.explain");
    await answer.waitFor();
    const text = (await answer.textContent()) ?? "";
    expect(text).toMatch(/^DENIED\s+outside_time_window/);
    expect(text).toContain("at 2027-03-20 12:00:00 UTC");
    expect(text).toContain(
      "mp-bob pool-early skipped outside_time_window: pool-early is closed at this time",
    );
    await screenshot(page, "member-explain");
  });

  it("desk: admits Eve on the pack chosen, asking for a reason, and the member page shows its credits go down", async ({
    newPage,
  }) => {
    const page = await newPage();
    await logIn(page, USERS.desk);
    await page.goto("/console/member?q=1234567");
    await page.waitForURL(/\/console\/member\/m-eve$/);
    const guest = page.locator('tr[data-pack="mp-eve-guest"] td.credits');
    expect(await guest.textContent()).toBe("5 of 5 left");

    const admit = page.locator('form[action="/console/desk/admit"]');
    await admit.getByLabel(/mp-eve-guest/).check();
    await admit.getByRole("button", { name: "Admit" }).click();
    // The browser asks for the reason before anything is sent.
    const reason = admit.getByLabel("Reason");
    expect(await reason.evaluate((el) => (el as HTMLInputElement).validity.valueMissing)).toBe(true);
    expect(page.url()).toMatch(/\/console\/member\/m-eve$/);
    expect(await guest.textContent()).toBe("5 of 5 left");

    await reason.fill("forgot her card");
    await admit.getByRole("button", { name: "Admit" }).click();
    await page.locator(".notice.ok").waitFor();
    expect(await page.locator(".notice.ok").textContent()).toMatch(/^admitted: /);
    expect(await guest.textContent()).toBe("4 of 5 left");
    expect(await page.locator('tr[data-pack="mp-eve-10"] td.credits').textContent()).toBe("9 of 10 left");
    await screenshot(page, "member");
  });

  it("desk: locks the door from the front desk and back; the live page shows each mode as it is set", async ({
    newPage,
    site,
  }) => {
    const live = await newPage();
    await logIn(live, USERS.desk);
    const mode = live.locator('tr[data-door="pool-gate"] td').nth(1);
    expect(await mode.textContent()).toBe("normal");

    const desk = await live.context().newPage();
    await desk.goto("/console/desk");
    const form = desk.locator('form[action="/console/desk/door"]');
    await form.getByLabel("Mode").selectOption("locked");
    await form.getByLabel("Reason").fill("pool closed for cleaning");
    await form.getByRole("button", { name: "Set mode" }).click();
    await desk.locator(".notice.ok").waitFor();
    expect(await desk.locator(".notice.ok").textContent()).toBe("door pool-gate is now locked");
    await expect.poll(() => mode.textContent(), { timeout: PANEL_WAIT_MS }).toBe("locked");
    expect(await live.locator('tr[data-door="pool-gate"]').textContent()).toContain("by giulia");
    // D3: while locked, Eve's card is refused, and the live page says so at once.
    site.reader.present("1234567");
    const refused = live.locator("#decisions tbody tr.deny", { hasText: "door_locked" });
    await refused.waitFor({ timeout: LIVE_WAIT_MS });
    expect(await refused.textContent()).toContain("Eve Adams");
    await screenshot(desk, "desk");
    await screenshot(live, "live-locked");

    await form.getByLabel("Mode").selectOption("normal");
    await form.getByLabel("Reason").fill("cleaning done");
    await form.getByRole("button", { name: "Set mode" }).click();
    await expect.poll(() => desk.locator(".notice.ok").textContent()).toBe("door pool-gate is now normal");
    await expect.poll(() => mode.textContent(), { timeout: PANEL_WAIT_MS }).toBe("normal");
  });

  it("desk: opens the door once and releases every door in an emergency and back, each with a reason", async ({
    newPage,
    site,
  }) => {
    const desk = await newPage();
    await logIn(desk, USERS.desk);
    await desk.goto("/console/desk");
    const pulses = () => site.board.history.filter((c) => c.channel === 1 && c.on).length;
    const before = pulses();
    const open = desk.locator('form[action="/console/desk/open"]');
    await open.getByLabel("Reason").fill("member forgot her card");
    await open.getByRole("button", { name: "Open once" }).click();
    await expect.poll(() => desk.locator(".notice.ok").textContent()).toBe("door pool-gate opened once");
    // D5: the door really opened: the board's relay pulsed.
    await expect.poll(() => pulses(), { timeout: LIVE_WAIT_MS }).toBe(before + 1);

    const emergency = desk.locator('form[action="/console/desk/emergency"]');
    await emergency.getByLabel("Reason").fill("fire drill");
    await emergency.getByRole("button", { name: "Release (emergency on)" }).click();
    await expect
      .poll(() => desk.locator(".notice.ok").textContent())
      .toMatch(/^emergency on: doors released \(\d+ door events\)$/);
    // D3: released doors are held open.
    await expect.poll(() => site.board.isOn(1), { timeout: LIVE_WAIT_MS }).toBe(true);
    await screenshot(desk, "desk-emergency");
    await emergency.getByLabel("Reason").fill("drill over");
    await emergency.getByRole("button", { name: "Reset (emergency off)" }).click();
    await expect
      .poll(() => desk.locator(".notice.ok").textContent())
      .toMatch(/^emergency off: doors back to their modes/);
    await expect.poll(() => site.board.isOn(1), { timeout: LIVE_WAIT_MS }).toBe(false);
  });

  it("desk: filters the events by reason and downloads the same selection as CSV", async ({ newPage }) => {
    const page = await newPage();
    await logIn(page, USERS.desk);
    await page.goto("/console/events");
    const filters = page.locator("main form").first();
    await filters.getByLabel("Card", { exact: true }).fill("1234567");
    await filters.getByLabel("Reason").selectOption("door_locked");
    await filters.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/reason=door_locked/);
    const rows = page.locator("main table tbody tr");
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain("door_locked");

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^events-.*\.csv$/);
    const lines = readFileSync((await download.path()) as string, "utf8")
      .trim()
      .split(/\r?\n/);
    expect(lines).toHaveLength(2); // the header and the one refusal
    expect(lines[1]).toContain("door_locked");
    expect(lines[1]).toContain("1234567");
  });

  it("desk: occupancy shows Eve in the pool; events list her decisions and offer the CSV", async ({
    newPage,
  }) => {
    const page = await newPage();
    await logIn(page, USERS.desk);
    await page.getByRole("link", { name: "Occupancy" }).click();
    const pool = page.locator('tr[data-area="pool"]');
    expect(await pool.textContent()).toContain("Eve Adams");
    expect(await pool.locator("strong").textContent()).toBe("1");
    await screenshot(page, "occupancy");

    await page.getByRole("link", { name: "Events" }).click();
    await page.waitForURL(/\/console\/events/);
    expect(await page.locator("main table tbody tr", { hasText: "1234567" }).count()).toBeGreaterThanOrEqual(
      2,
    );
    expect(await page.getByRole("link", { name: /CSV/ }).count()).toBe(1);
    await screenshot(page, "events");
  });

  it("technician: the devices page shows the reader and the relay board GOOD, the log level form at debug", async ({
    newPage,
  }) => {
    const page = await newPage();
    await logIn(page, USERS.technician);
    await page.getByRole("link", { name: "Devices" }).click();
    await page.waitForURL(/\/console\/devices/);
    const main = (await page.locator("main").textContent()) ?? "";
    expect(main).toContain("pool-in");
    expect(main).toContain("board-1");
    expect(await page.locator("main span.good").count()).toBe(2);
    // One click on Set must not silence the log: the form offers debug, not the list's first (fatal).
    expect(await page.getByLabel("Level").inputValue()).toBe("debug");
    await screenshot(page, "devices");

    // cli.md reload, from the page: the same file again, nothing changed.
    await page.getByRole("button", { name: "Reload the configuration" }).click();
    await expect
      .poll(() => page.locator(".notice.ok").textContent())
      .toMatch(/^reloaded .*: nothing changed$/);
    // A troubleshooting level for a while, back to the configured one after.
    const form = page.locator('form[action="/console/devices/log-level"]');
    await form.getByLabel("For").fill("10m");
    await form.getByLabel("Why").fill("reader pool-in drops cards");
    await form.getByRole("button", { name: "Set" }).click();
    await expect
      .poll(() => page.locator(".notice.ok").textContent())
      .toMatch(/^log level debug until .+ \(configured: info\)$/);
  });

  it("viewer: card numbers are masked to their last 4 digits and no front-desk action is offered", async ({
    newPage,
  }) => {
    const page = await newPage();
    await logIn(page, USERS.viewer);
    const live = (await page.locator("#decisions").textContent()) ?? "";
    expect(live).toContain("…4567");
    expect(live).not.toContain("1234567");
    const nav = await page.locator("header nav a").allTextContents();
    expect(nav).toEqual(["Live", "Occupancy", "Events"]);
    expect(await page.locator("form[action^='/console/desk']").count()).toBe(0);
    const desk = await page.goto("/console/desk");
    expect(desk?.status()).toBe(403);
    expect(await page.locator("body").textContent()).toContain("this needs the desk role");
  });

  it("a phone shows the live page readable: the navigation fits and the tables scroll inside the page", async ({
    newPage,
  }) => {
    const page = await newPage({ width: 390, height: 844 });
    await logIn(page, USERS.desk);
    // Nothing makes the page itself wider than the phone (a wide table scrolls in its own box).
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, "live-phone");
  });

  it("logs out: the session ends and the console asks for a login again", async ({ newPage }) => {
    const page = await newPage();
    await logIn(page, USERS.desk);
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL(/\/login$/);
    await page.goto("/console/live");
    expect(page.url()).toMatch(/\/login\?next=/);
  });

  it("locks a name after 5 wrong passwords: the right one is refused too, and the page says for how long", async ({
    newPage,
  }) => {
    const page = await newPage();
    for (let i = 1; i <= 5; i++) {
      await page.goto("/login");
      await page.getByLabel("User").fill(USERS.viewer.name);
      await page.getByLabel("Password").fill(`wrong guess ${i}`);
      await page.getByRole("button", { name: "Log in" }).click();
      await page.locator(".notice.error").waitFor();
      const said = await page.locator(".notice.error").textContent();
      expect(said).toBe(
        i < 5
          ? "wrong user name or password"
          : "too many failed logins for vera: locked, try again in 15 minutes",
      );
    }
    await page.getByLabel("Password").fill(USERS.viewer.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.locator(".notice.error").waitFor();
    expect(await page.locator(".notice.error").textContent()).toMatch(
      /^too many failed logins for vera: locked/,
    );
    expect(page.url()).toMatch(/\/login/);
  });
});

/**
 * A real browser for the console's tests: Debian's Chromium (`.ci/run` installs it when missing)
 * driven by playwright-core, headless, with a fresh profile per launch (playwright's own) and the flags that keep it
 * off the network (this machine's network is closed: background fetches would only fail). Each
 * test's pages can be photographed into test-output/screenshots/ (git-ignored) for a reviewer.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

/** Where the browser is: CHROMIUM_PATH, else Debian's. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Where the screenshots go (git-ignored), from the repository's root. */
export const SCREENSHOTS = join(import.meta.dirname, "../../test-output/screenshots");

/** Starts headless Chromium; fails naming the path and how to install it when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `no Chromium at ${CHROMIUM}: install Debian's (apt-get install chromium) or set CHROMIUM_PATH`,
    );
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Writes a full-page screenshot of `page` as test-output/screenshots/NAME.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

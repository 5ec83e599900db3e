/**
 * A real browser for the console's tests: Debian's Chromium through playwright-core (launched as
 * bench/chromium.ts says, shared with the console benchmark). Each test's pages can be
 * photographed into test-output/screenshots/ (git-ignored) for a reviewer.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";

export { CHROMIUM, launchChromium } from "../../bench/chromium.js";

/** Where the screenshots go (git-ignored), from the repository's root. */
export const SCREENSHOTS = join(import.meta.dirname, "../../test-output/screenshots");

/** Writes a full-page screenshot of `page` as test-output/screenshots/NAME.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

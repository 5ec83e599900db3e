/**
 * Debian's Chromium (`.ci/run` installs it when missing) driven by playwright-core, headless, with a
 * fresh profile per launch (playwright's own) and the flags that keep it off the network (this
 * machine's network is closed: background fetches would only fail). The browser tests
 * (test/helpers/browser.ts) and the console benchmark (bench/console.ts) both start it here.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Where the browser is: CHROMIUM_PATH, else Debian's. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

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

/**
 * The console figures (issue 11 §4): the real daemon with its console (bench/consoleRig.ts: the
 * built binary, a simulated serial reader and LCUS board) and headless Chromium on the live page.
 * `scans` cards are scanned at the reader one after another; each is timed from the moment its line
 * is written to the reader's serial line to the moment the live page's script adds its row to the
 * DOM (a MutationObserver in the page stamps each row; rows are matched by card number). Also the
 * bytes of the live page's first load (the page, its CSS and its script, nothing cached yet)
 * against the 200 KB budget.
 */
import { mkdirSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { Page, Request } from "playwright-core";
import { launchChromium } from "./chromium.js";
import { startConsoleRig } from "./consoleRig.js";
import { summariseMs } from "./e2eMatch.js";
import type { Latency } from "./stats.js";
import { renderTargetMarkdown, renderTargetText, type TargetRow } from "./targetTable.js";

/** Issue 11: a decision appears on the live page within 1 s of the scan. */
export const LIVE_TARGET_MS = 1000;
/** Issue 11 §4: the first page load. */
export const FIRST_LOAD_BUDGET_BYTES = 200 * 1024;
/** The pause between two scans: a reader at a busy door, well past its 100 ms debounce (R17). */
const SCAN_GAP_MS = 250;
/** How long one row may take before the run fails (a missing row is a bug, not a slow figure). */
const ROW_TIMEOUT_MS = 10_000;

/** What the console benchmark measured. */
export interface ConsoleResult {
  scans: number;
  /** Scan (line written) → row in the live page's DOM, ms. */
  live: Latency;
  /** The live page's first load: each resource and its bytes (headers and body). */
  firstLoad: { url: string; bytes: number }[];
}

/** One unlimited membership per card, valid at any hour: every scan a grant that shows on the page. */
function siteYaml(): string {
  return `site: { id: bench-console, timezone: UTC }
areas:
  - { id: pool, name: Pool }
accessTypes:
  - id: pool-any
    areas: [pool]
    windows: [{ days: [mon, tue, wed, thu, fri, sat, sun, hol], from: "00:00", to: "24:00" }]
products:
  - id: unlimited
    name: Unlimited
    credits: 0
    validity: { indefinite: true }
    items: [{ accessType: pool-any, credits: 0, priority: 1 }]
`;
}

/** The card of the k-th member. */
const cardOf = (k: number) => String(50_000_000 + k);

function membersYaml(n: number): string {
  const lines = ["members:"];
  for (let k = 0; k < n; k++)
    lines.push(
      `  - { id: m-${k}, name: "Member ${k}", cards: [{ number: "${cardOf(k)}", status: active }], multipacks: [{ id: mp-${k}, product: unlimited, purchasedAt: "2020-01-01T00:00:00Z" }] }`,
    );
  return `${lines.join("\n")}\n`;
}

const USER = { name: "bench", role: "desk", password: "bench desk password" } as const;

/**
 * Stamps each row the live page adds with the epoch's milliseconds (timeOrigin + now: the clock
 * Node reads too), by card (the 7th cell). A string, not a function: a function's source is what a
 * transpiler (vitest's) made of it, with helpers the page does not have.
 */
const STAMP_ROWS = `(() => {
  const seen = {};
  window.rowSeenAt = seen;
  const body = document.querySelector("#decisions tbody");
  if (!body) throw new Error("the live page has no #decisions table");
  new MutationObserver((changes) => {
    const at = performance.timeOrigin + performance.now();
    for (const c of changes)
      for (const node of c.addedNodes)
        if (node instanceof HTMLTableRowElement) seen[node.cells[6]?.textContent ?? ""] ??= at;
  }).observe(body, { childList: true });
})()`;

/**
 * Logs in (the session cookie set in the page's context, nothing else fetched) and opens the live
 * page, the context's first page: what its load fetched is what a new tablet downloads.
 */
async function openLive(page: Page): Promise<ConsoleResult["firstLoad"]> {
  const login = await page.context().request.post("/login", {
    form: { user: USER.name, password: USER.password, next: "/console/live" },
    maxRedirects: 0,
  });
  if (login.status() !== 303) throw new Error(`login as ${USER.name} answered ${login.status()}`);
  const loaded: ConsoleResult["firstLoad"] = [];
  const count = async (request: Request) => {
    const sizes = await request.sizes();
    loaded.push({
      url: new URL(request.url()).pathname,
      bytes: sizes.responseBodySize + sizes.responseHeadersSize,
    });
  };
  page.on("requestfinished", count);
  await page.goto("/console/live", { waitUntil: "load" });
  // The stream never finishes; the page, its CSS and script have by now.
  await page.waitForFunction(() => document.readyState === "complete");
  page.off("requestfinished", count);
  await page.evaluate(STAMP_ROWS);
  return loaded;
}

/** Runs the benchmark in `dir` (removed after): `scans` scans, each timed to its row. */
export async function runConsoleBench(
  dir: string,
  o: { root: string; scans: number },
): Promise<ConsoleResult> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const rig = await startConsoleRig({
    root: resolve(o.root),
    dir,
    site: siteYaml(),
    members: membersYaml(o.scans),
    users: [USER],
  });
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ baseURL: rig.url, viewport: { width: 1024, height: 700 } });
    const page = await context.newPage();
    const firstLoad = await openLive(page);
    const times: number[] = [];
    for (let k = 0; k < o.scans; k++) {
      const card = cardOf(k);
      const scannedAt = performance.timeOrigin + performance.now();
      if (!rig.reader.present(card)) throw new Error("the daemon is not connected to the simulated reader");
      const handle = await page.waitForFunction(
        (c) => (window as unknown as { rowSeenAt: Record<string, number> }).rowSeenAt[c],
        card,
        { timeout: ROW_TIMEOUT_MS },
      );
      times.push(((await handle.jsonValue()) as number) - scannedAt);
      await sleep(SCAN_GAP_MS);
    }
    return { scans: o.scans, live: summariseMs(times), firstLoad };
  } finally {
    await browser.close();
    await rig.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The figures against their targets. */
function rows(r: ConsoleResult): TargetRow[] {
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  const total = r.firstLoad.reduce((s, x) => s + x.bytes, 0);
  return [
    {
      name: `scan → row on the live page, max of ${r.live.n}`,
      target: `≤ ${LIVE_TARGET_MS / 1000} s`,
      value: ms(r.live.max),
      pass: r.live.max <= LIVE_TARGET_MS,
    },
    {
      name: "scan → row on the live page, p50 / p99",
      target: "—",
      value: `${ms(r.live.p50)} / ${ms(r.live.p99)}`,
      pass: null,
    },
    {
      name: `live page's first load (${r.firstLoad.map((x) => x.url).join(", ")})`,
      target: "≤ 200 KB",
      value: `${(total / 1024).toFixed(1)} KB`,
      pass: total <= FIRST_LOAD_BUDGET_BYTES,
    },
  ];
}

/** The figures as text for the terminal. */
export function renderConsoleText(r: ConsoleResult): string {
  return renderTargetText(rows(r));
}

/** The figures as markdown for docs/benchmarks.md. */
export function renderConsoleMarkdown(r: ConsoleResult, date: string, command: string): string {
  return [
    `Measured ${date} with \`${command}\`: the built daemon with its console, a simulated serial`,
    `reader and LCUS board on loopback serial lines, headless Chromium on the live page; ${r.scans} scans`,
    `${SCAN_GAP_MS} ms apart, each timed from its line written to the reader to its row added to the page`,
    "(stamped in the page by a MutationObserver). First load: the live page, its CSS and script, nothing cached.",
    "",
    ...renderTargetMarkdown(rows(r)),
  ].join("\n");
}

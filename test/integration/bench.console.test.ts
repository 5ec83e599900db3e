import { join } from "node:path";
import { describe, expect } from "vitest";
import { renderConsoleMarkdown, runConsoleBench } from "../../bench/console.js";
import { ROOT } from "../e2e/accessgw.js";
import { it } from "../harness/index.js";
import { expectFormatted } from "../helpers/benchMarkdown.js";

describe("the console benchmark, as a small run (issue 11 §4)", () => {
  it("times each scan to its row on the live page in Chromium and counts the live page's first load (never asserts times)", async ({
    folder,
  }) => {
    const r = await runConsoleBench(join(folder.dir, "console"), { root: ROOT, scans: 3 });
    expect(r.live.n).toBe(3);
    expect(r.live.p50).toBeGreaterThan(0);
    expect(r.firstLoad.map((x) => x.url).sort()).toEqual([
      "/assets/console.css",
      "/console/assets/live.js",
      "/console/live",
    ]);
    // Each resource counted whole: the style sheet alone is several KB.
    const css = r.firstLoad.find((x) => x.url === "/assets/console.css");
    expect(css?.bytes).toBeGreaterThan(4000);
    const markdown = renderConsoleMarkdown(r, "2026-12-07", "npm run bench -- --only console");
    expect(markdown).toMatch(
      /^\| scan → row on the live page, max of 3 +\| ≤ 1 s +\| +[\d.]+ ms (PASS|MISS) \|$/m,
    );
    expectFormatted(markdown);
  });
});

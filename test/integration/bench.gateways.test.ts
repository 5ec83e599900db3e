import { join } from "node:path";
import { describe, expect } from "vitest";
import { renderGatewaysMarkdown, runGatewaysBench } from "../../bench/gateways.js";
import { it } from "../harness/index.js";
import { expectFormatted } from "../helpers/benchMarkdown.js";

describe("the gateways benchmark, as a small run (issue 12)", () => {
  it("times each charged visit at A until B's decision counts it, over distinct members (never asserts times)", async ({
    folder,
  }) => {
    const r = await runGatewaysBench(join(folder.dir, "gateways"), { visits: 5, gapMs: 20, probeMs: 2 });
    // Every visit reached B (the run throws otherwise), each timed once.
    expect(r.atB.n).toBe(5);
    expect(r.atB.p50).toBeGreaterThan(0);
    expect(r.atB.max).toBeGreaterThanOrEqual(r.atB.p99);
    const markdown = renderGatewaysMarkdown(r, "2026-12-07", "npm run bench -- --only gateways");
    expect(markdown).toMatch(
      /^\| charged visit at A → counted by B's decisions, p99 of 5 +\| ≤ 2\.00 s +\| +[\d.]+ m?s (PASS|MISS) \|$/m,
    );
    expectFormatted(markdown);
  });

  it("R8: times free visits under a once-a-day limit until B's decision says the limit is reached (never asserts times)", async ({
    folder,
  }) => {
    const r = await runGatewaysBench(join(folder.dir, "free"), {
      visits: 3,
      gapMs: 20,
      probeMs: 2,
      free: true,
      timeoutMs: 10_000,
    });
    expect([r.kind, r.atB.n]).toEqual(["free", 3]);
    expect(
      renderGatewaysMarkdown(r, "2026-12-07", "npm run bench -- --only gateways --gateways-free"),
    ).toMatch(/^\| free visit at A → counted by B's decisions, p99 of 3 +\|/m);
  });
});

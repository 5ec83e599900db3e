import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { renderDoorsMarkdown, runDoorsBench } from "../../bench/doors.js";
import { requireSocat } from "../../firmware-sim/devices/ptyLink.js";
import { expectFormatted } from "../helpers/benchMarkdown.js";
import { tempDir } from "../helpers/build.js";

const _ROOT = fileURLToPath(new URL("../../", import.meta.url));

beforeAll(() => requireSocat());

describe("the doors benchmark, as a small run", () => {
  it("D3, D2: times fire releases of 16 doors and card → relay with and without passage inputs (never asserts times)", async () => {
    const t = tempDir();
    try {
      const r = await runDoorsBench(join(t.dir, "doors"), { rounds: 3, scans: 32 });
      expect([r.doors, r.fire.n, r.withPassage.n, r.withoutPassage.n]).toEqual([16, 3, 16, 16]);
      expect(r.fire.p50).toBeGreaterThan(0);
      const markdown = renderDoorsMarkdown(r, "2026-12-07", "npm run bench -- --only doors");
      expect(markdown).toMatch(/^\| what +\| target +\| +n \| p50 \(ms\) \| p99 \(ms\) \| max \(ms\) \|$/m);
      expectFormatted(markdown);
    } finally {
      t.cleanup();
    }
  }, 60_000);
});

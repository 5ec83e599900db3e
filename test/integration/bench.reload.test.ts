import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { reloadRows, runReloadBench } from "../../bench/reload.js";
import { requireSocat } from "../../firmware-sim/devices/ptyLink.js";
import { tempDir } from "../helpers/build.js";

beforeAll(() => requireSocat());

describe("the reload benchmark, as a small run", () => {
  it("reload: every scan sent during reloads that restart 4 of 16 readers is decided (never asserts times)", async () => {
    const t = tempDir();
    try {
      const r = await runReloadBench(join(t.dir, "reload"), { scans: 24, pauseMs: 1 });
      expect(r.reloads).toBeGreaterThan(0);
      // 24 scans without, 24 during, and each of the 4 restarted readers once after each reload.
      expect(r.sent).toBe(24 + 24 + r.reloads * 4);
      expect(r.decided).toBe(r.sent);
      expect([r.without.n, r.during.n]).toEqual([24, 24]);
      expect(reloadRows(r)[0]?.pass).toBe(true);
    } finally {
      t.cleanup();
    }
  }, 60_000);
});

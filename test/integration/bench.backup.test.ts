import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { renderBackupMarkdown, runBackupBench } from "../../bench/backup.js";
import { expectFormatted } from "../helpers/benchMarkdown.js";
import { tempDir } from "../helpers/build.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

describe("the backup benchmark, as a small run", () => {
  it("backs up a small generated cache with the real command while scanning, and reports both passes (never asserts times)", async () => {
    if (!existsSync(join(ROOT, "dist/gateway/cli.js"))) throw new Error("run `npm run build` first");
    const t = tempDir();
    try {
      const r = await runBackupBench(join(t.dir, "backup"), {
        root: ROOT,
        members: 300,
        seed: 7,
        seconds: 0.3,
        scanIntervalMs: 5,
      });
      expect(r.members).toBe(300);
      expect(r.bytes).toBeGreaterThan(0);
      expect(r.without.n).toBeGreaterThan(0);
      expect(r.during.n).toBeGreaterThan(0);
      const markdown = renderBackupMarkdown(r, "2026-12-07", "npm run bench -- --only backup");
      expectFormatted(markdown);
      expect(existsSync(join(t.dir, "backup"))).toBe(false);
    } finally {
      t.cleanup();
    }
  }, 60_000);
});

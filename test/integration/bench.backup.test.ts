import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { renderBackupMarkdown, runBackupBench } from "../../bench/backup.js";
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
      // docs/benchmarks.md is checked by the linter: the table goes in as the formatter lays it out.
      const biome = spawnSync(
        join(ROOT, "node_modules/.bin/biome"),
        ["format", "--stdin-file-path=benchmarks.md"],
        {
          input: `${markdown}\n`,
          encoding: "utf8",
        },
      );
      expect(biome.status, biome.stderr).toBe(0);
      expect(biome.stdout).toBe(`${markdown}\n`);
      expect(existsSync(join(t.dir, "backup"))).toBe(false);
    } finally {
      t.cleanup();
    }
  }, 60_000);
});

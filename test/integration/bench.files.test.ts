import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { renderFilesMarkdown, runFileImport } from "../../bench/fileImport.js";
import { expectFormatted } from "../helpers/benchMarkdown.js";
import { tempDir } from "../helpers/build.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

describe("the file import benchmark, as a small run", () => {
  it("imports a YAML and a JSON members file through the command line and reports both (never asserts times)", () => {
    if (!existsSync(join(ROOT, "dist/gateway/cli.js"))) throw new Error("run `npm run build` first");
    const t = tempDir();
    try {
      const rows = runFileImport(ROOT, join(t.dir, "files"), 0.3, 7);
      expect(rows.map((r) => r.format)).toEqual(["yaml", "json"]);
      for (const r of rows) {
        expect(r.members).toBeGreaterThan(0);
        expect(r.fileMb).toBeGreaterThanOrEqual(0.3);
        expect(r.peakRssMb).toBeGreaterThan(0);
      }
      const markdown = renderFilesMarkdown(rows, "2026-12-07", "npm run bench -- --only files");
      expect(markdown).toMatch(
        /^\| format +\| file \(MB\) \| members +\| time \(s\) \| MB\/s +\| peak RSS \(MB\) \|$/m,
      );
      expectFormatted(markdown);
      expect(existsSync(join(t.dir, "files"))).toBe(false);
    } finally {
      t.cleanup();
    }
  }, 120_000);
});

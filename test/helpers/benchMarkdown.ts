import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * docs/benchmarks.md is checked by the linter: a benchmark's block must go in exactly as the
 * formatter would lay it out. Fails the test when biome would change `markdown`.
 */
export function expectFormatted(markdown: string): void {
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
}

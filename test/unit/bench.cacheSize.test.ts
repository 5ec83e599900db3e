/**
 * The benchmark's cache breakdown (issue 12 §3): bytes and rows per member by B-tree, as the sizes
 * figure reports them before and after the fold.
 */
import { describe, expect } from "vitest";
import { cacheSize, renderCacheSize } from "../../bench/cacheSize.js";
import { test } from "../harness/index.js";

describe("bench cacheSize", () => {
  test("counts each table's and index's rows and pages for the members stored", ({ exampleStore: store }) => {
    const s = cacheSize(store);
    expect(s.members).toBe(4);
    const byName = new Map(s.trees.map((t) => [t.name, t]));
    // The worked example: four members, one card each, five multipacks and one ledger entry, packed
    // (migration 16) into its multipack's row, with the visit it stands for in its member's.
    expect(byName.get("members")?.rows).toBe(4);
    expect(byName.get("cards")?.rows).toBe(4);
    expect(byName.get("cards_member")?.rows).toBe(4);
    expect(byName.get("multipacks")?.rows).toBe(5);
    expect(byName.get("ledger_packs")?.rows).toBe(1);
    expect(byName.get("visit_packs")?.rows).toBe(1);
    // Every page of the file is one tree's or free; each tree has at least one page.
    const pageSize = store.db.pragma("page_size", { simple: true }) as number;
    expect(s.fileBytes % pageSize).toBe(0);
    for (const t of s.trees) expect(t.bytes).toBeGreaterThanOrEqual(pageSize);
    expect(s.trees.reduce((n, t) => n + t.bytes, 0) + s.freeBytes).toBeLessThanOrEqual(s.fileBytes);
    const text = renderCacheSize("example", s);
    expect(text[0]).toMatch(/^example: \d+ bytes per member in use, \d+ with free pages \(4 members\)$/);
    expect(text).toContainEqual(
      expect.stringMatching(/^ {2}ledger_packs +\d+\.\d B\/member +0\.25 rows\/member$/),
    );
  });
});

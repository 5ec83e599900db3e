import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ENGINE = join(dirname(fileURLToPath(import.meta.url)), "../../gateway/engine");
const FORBIDDEN_DIRS = ["store", "sync", "drivers"];
const FORBIDDEN_MODULES = [
  "fs",
  "fs/promises",
  "net",
  "child_process",
  "http",
  "https",
  "dgram",
  "better-sqlite3",
  "serialport",
  "mqtt",
];

/** Every .ts file under gateway/engine, recursively. */
function engineFiles(dir = ENGINE): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return engineFiles(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

/** Module specifiers of static imports, re-exports, dynamic imports and require() calls. */
function specifiers(source: string): string[] {
  const out: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
    /\brequire\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) out.push(m[1] as string);
  return out;
}

/** Why a specifier is not allowed in the engine, or null. */
function forbidden(spec: string): string | null {
  const bare = spec.replace(/^node:/, "");
  const pkg = bare.startsWith("@") ? bare.split("/").slice(0, 2).join("/") : (bare.split("/")[0] as string);
  if (FORBIDDEN_MODULES.includes(bare) || FORBIDDEN_MODULES.includes(pkg) || pkg.startsWith("@serialport"))
    return "I/O module";
  if (spec.startsWith(".")) {
    const segments = spec.split("/");
    if (segments.some((s) => FORBIDDEN_DIRS.includes(s))) return "store/sync/drivers layer";
  }
  return null;
}

describe("the engine is pure (style.md: decide() never reads the clock, the database or a file)", () => {
  const files = engineFiles();

  it("Purity (style.md): the engine folder has source files to check", () => {
    expect(files.map((f) => relative(ENGINE, f))).toContain("decide.ts");
  });

  it.each(files.map((f) => [relative(ENGINE, f), f]))(
    "Purity (style.md): %s imports no store, sync, drivers or Node I/O module",
    (_name, file) => {
      const bad = specifiers(readFileSync(file, "utf8"))
        .map((s) => [s, forbidden(s)])
        .filter(([, why]) => why !== null);
      expect(bad).toEqual([]);
    },
  );

  it.each(files.map((f) => [relative(ENGINE, f), f]))(
    "Purity (style.md): %s does not read the clock",
    (_name, file) => {
      const src = readFileSync(file, "utf8");
      expect(src).not.toMatch(
        /\bDate\.now\s*\(|\bnew Date\s*\(\s*\)|DateTime\.(?:now|local)\s*\(|performance\.now\s*\(/,
      );
    },
  );

  it.each([
    ['import { readFileSync } from "node:fs";', true],
    ["import fs from 'fs';", true],
    ['import type { Store } from "../store/db.js";', true],
    ['export { x } from "../../drivers/wiegand.js";', true],
    ['const m = await import("node:child_process");', true],
    ['import Database from "better-sqlite3";', true],
    ['import { connect } from "mqtt";', true],
    ['import "node:net";', true],
    ['import { SerialPort } from "serialport";', true],
    ['import { DateTime } from "luxon";', false],
    ['import { addDays } from "./calendar.js";', false],
    ['import type { Product } from "../../config/site.js";', false],
  ])("Purity (style.md): the checker itself flags %s: %s", (line, flagged) => {
    const bad = specifiers(line).filter((s) => forbidden(s) !== null);
    expect(bad.length > 0).toBe(flagged);
  });
});

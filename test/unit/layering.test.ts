/**
 * Dependencies point one way (the developers' guide): every folder may import only the folders listed
 * for it here. `config` (schemas, the sync contract in config/protocol/) and `runtime` (logger factory,
 * timers) import nothing above them; the engine only config; drivers know nothing about members; the
 * reference central and the simulator use the contract, the pure engine and the drivers, never the
 * gateway's store, sync or daemon. Each relative import of every source file is checked.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

/** The layers, most specific first: a file belongs to the first whose folder holds it. */
const LAYERS = [
  ["engine", "gateway/engine"],
  ["store", "gateway/store"],
  ["sync", "gateway/sync"],
  ["gateway", "gateway"],
  ["config", "config"],
  ["runtime", "runtime"],
  ["web", "web"],
  ["drivers", "drivers"],
  ["central", "central"],
  ["sim", "firmware-sim"],
  ["demo", "demo"],
  ["bench", "bench"],
] as const;
type Layer = (typeof LAYERS)[number][0];

/** What each layer may import besides itself. */
const ALLOWED: Record<Layer, readonly Layer[]> = {
  config: [],
  runtime: [],
  // The console's framework (requests, router, logins, look), shared by the gateway and the central.
  web: ["config", "runtime"],
  engine: ["config"],
  drivers: ["config", "runtime"],
  store: ["config", "engine", "runtime"],
  sync: ["config", "engine", "store", "drivers", "runtime"],
  gateway: ["config", "engine", "store", "sync", "drivers", "runtime", "web"],
  central: ["config", "engine", "drivers", "runtime", "web"],
  sim: ["config", "engine", "drivers", "runtime"],
  // The demo and the benchmarks wire whole programs together.
  demo: ["config", "engine", "store", "sync", "gateway", "drivers", "runtime", "web", "central", "sim"],
  bench: [
    "config",
    "engine",
    "store",
    "sync",
    "gateway",
    "drivers",
    "runtime",
    "web",
    "central",
    "sim",
    "demo",
  ],
};

/**
 * The one way up: `accessgw central` and `accessgw sim` are verbs of the command line, which loads
 * those programs' own command lines lazily (a dynamic import, never a static one).
 */
const LAZY_VERBS: Record<string, readonly string[]> = {
  "gateway/cliVerbs.ts": ["central/cli.ts", "firmware-sim/cli.ts"],
};

/** The layer a repository path belongs to, or null (tests, scripts). */
function layerOf(path: string): Layer | null {
  for (const [layer, folder] of LAYERS) if (path === folder || path.startsWith(`${folder}/`)) return layer;
  return null;
}

/** Every .ts source file under the layers' folders, as repository paths. */
function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === "jsonschema" ? [] : sourceFiles(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

/** Relative module specifiers of static imports and re-exports, and of dynamic imports, apart. */
function imports(source: string): { static: string[]; dynamic: string[] } {
  const grab = (re: RegExp) =>
    [...source.matchAll(re)].map((m) => m[1] as string).filter((s) => s.startsWith("."));
  return {
    static: [
      ...grab(/\b(?:import|export)\s[^'"`;]*?\bfrom\s*["']([^"']+)["']/g),
      ...grab(/\bimport\s*["']([^"']+)["']/g),
    ],
    dynamic: grab(/\bimport\s*\(\s*["']([^"']+)["']\s*\)/g),
  };
}

/** The repository path a relative specifier of `file` names (`.js` → the `.ts` source). */
function target(file: string, spec: string): string {
  return normalize(join(dirname(file), spec)).replace(/\.js$/, ".ts");
}

const files = [
  "config",
  "runtime",
  "web",
  "gateway",
  "drivers",
  "central",
  "firmware-sim",
  "demo",
  "bench",
].flatMap(sourceFiles);

describe("layering: each folder imports only the layers below it", () => {
  it("finds the source files of every layer", () => {
    const layers = new Set(files.map(layerOf));
    for (const [layer] of LAYERS) expect(layers, layer).toContain(layer);
  });

  it.each(files.map((f) => [f]))("%s imports only what its layer may", (file) => {
    const from = layerOf(file) as Layer;
    const found = imports(readFileSync(join(ROOT, file), "utf8"));
    const bad: string[] = [];
    for (const spec of found.static) {
      const to = layerOf(target(file, spec));
      if (to !== null && to !== from && !ALLOWED[from].includes(to)) bad.push(`${spec} (${from} → ${to})`);
    }
    for (const spec of found.dynamic) {
      const path = target(file, spec);
      const to = layerOf(path);
      const lazy = LAZY_VERBS[file]?.includes(path) ?? false;
      if (to !== null && to !== from && !ALLOWED[from].includes(to) && !lazy)
        bad.push(`${spec} (${from} → ${to}, dynamic)`);
    }
    expect(bad).toEqual([]);
  });

  it("says which layer a path is in, most specific folder first", () => {
    expect(layerOf("gateway/engine/decide.ts")).toBe("engine");
    expect(layerOf("gateway/sync/client.ts")).toBe("sync");
    expect(layerOf("gateway/daemon.ts")).toBe("gateway");
    expect(layerOf("config/protocol/topics.ts")).toBe("config");
    expect(layerOf("test/unit/layering.test.ts")).toBeNull();
    expect(relative(ROOT, join(ROOT, "central"))).toBe("central");
  });
});

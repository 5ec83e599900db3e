/**
 * The benchmark of the decision path and the import (`npm run bench`): for each size, a fresh child
 * process generates the members, imports them, measures, and reports; this process prints the
 * figures next to their targets and writes them to docs/benchmarks.md. Before the sizes, the
 * end-to-end latency benchmark (e2eMain.ts: readers → gateway → relays on ptys) runs in its own
 * child process and gets its own block in the same file.
 *
 *   npm run bench                          # the end-to-end figure, then 100k, 1M and 2M members (long)
 *   npm run bench -- --sizes 100k          # quick
 *   npm run bench -- --sizes 1M --keep     # keep the cache in bench/.cache/ (then --reuse it)
 *   npm run bench -- --only e2e            # only the end-to-end figure (--e2e-quick: a 5 s smoke)
 *   npm run bench -- --no-e2e              # only the sizes
 *   npm run bench -- --only sync           # only the sync figures (issue 4): a 1M-member snapshot
 *                                          # applied while scans go on, change latency, an offline outbox
 *   npm run bench -- --only sync --sync-members 100k   # a quicker snapshot
 *   npm run bench -- --only files          # only the file import figure (issue 8): a 50 MB members
 *                                          # file, YAML and JSON, through `accessgw import`
 *   npm run bench -- --only files --files-mb 2         # a quick one
 *   npm run bench -- --only doors          # only the doors figures (issue 9): fire input edge → 16
 *                                          # doors released, card → relay with and without passage
 *   npm run bench -- --only metrics        # only the /metrics scrape figure (issue 10): p99 with 16
 *                                          # readers at full load (--metrics-scrapes 50: quick)
 *   npm run bench -- --only reload         # only the reload figure (issue 10): 16 readers at load,
 *                                          # reloads restarting 4 of them: no scan lost, p99 ≤ 2×
 *   npm run bench -- --only backup         # only the backup figures (issue 10): accessgw backup of a
 *                                          # 1M-member cache while scanning, scan p99 with and without
 *   npm run bench -- --only backup --backup-members 50k   # a quick one
 *   npm run bench -- --only console        # only the console figures (issue 11): Chromium on the live
 *                                          # page, scan → row p50/p99/max against 1 s, first load bytes
 *   npm run bench -- --only console --console-scans 20    # a quick one
 *   npm run bench -- --only gateways       # only the gateways figure (issue 12): two gateways and the
 *                                          # reference central, a visit at A → counted at B, p99 ≤ 2 s
 *   npm run bench -- --only osdp           # only the OSDP figures (issue 13): 8 secured PDs on a pty,
 *                                          # poll cycle and card → PD output against the wire time, on
 *                                          # the bus alone and through the gateway (its own process)
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { release } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { renderBackupMarkdown, renderBackupText, runBackupBench } from "./backup.js";
import { runEndToEnd, runSync } from "./children.js";
import { renderConsoleMarkdown, renderConsoleText, runConsoleBench } from "./console.js";
import { editDoc, markers, replaceBlock } from "./docBlock.js";
import { renderDoorsMarkdown, renderDoorsText, runDoorsBench } from "./doors.js";
import { e2eRows, renderE2eMarkdown, renderE2eText } from "./e2eReport.js";
import { renderFilesMarkdown, renderFilesText, runFileImport } from "./fileImport.js";
import { renderGatewaysMarkdown, renderGatewaysText, runGatewaysBench } from "./gateways.js";
import type { SizeResult } from "./measure.js";
import { renderMetricsMarkdown, renderMetricsText, runMetricsBench } from "./metrics.js";
import { renderOsdpMarkdown, renderOsdpText, runOsdpFigures } from "./osdp.js";
import { reloadRows, runReloadBench } from "./reload.js";
import { type Row, renderMarkdown, renderText, rows } from "./report.js";
import { machine } from "./stats.js";
import { renderSyncMarkdown, renderSyncText, syncRows } from "./syncReport.js";
import { renderTargetText } from "./targetTable.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const argv = process.argv.slice(2);
const { values: opt } = parseArgs({
  args: argv,
  options: {
    sizes: { type: "string", default: "100k,1M,2M" },
    seed: { type: "string", default: "20261207" },
    decisions: { type: "string", default: "20000" },
    scans: { type: "string", default: "10000" },
    chunk: { type: "string", default: "1000" },
    "cache-dir": { type: "string", default: join(root, "bench/.cache") },
    keep: { type: "boolean", default: false },
    reuse: { type: "boolean", default: false },
    out: { type: "string", default: join(root, "docs/benchmarks.md") },
    "no-write": { type: "boolean", default: false },
    only: { type: "string" },
    "no-e2e": { type: "boolean", default: false },
    "e2e-seconds": { type: "string", default: "30" },
    "e2e-readers": { type: "string", default: "16" },
    "e2e-boards": { type: "string", default: "4" },
    "e2e-control-seconds": { type: "string", default: "10" },
    "e2e-quick": { type: "boolean", default: false },
    "no-sync": { type: "boolean", default: false },
    "sync-members": { type: "string", default: "1M" },
    "no-files": { type: "boolean", default: false },
    "files-mb": { type: "string", default: "50" },
    "no-doors": { type: "boolean", default: false },
    "doors-rounds": { type: "string", default: "200" },
    "doors-scans": { type: "string", default: "800" },
    "no-metrics": { type: "boolean", default: false },
    "metrics-scrapes": { type: "string", default: "500" },
    "metrics-gap": { type: "string", default: "20" },
    "no-reload": { type: "boolean", default: false },
    "reload-scans": { type: "string", default: "800" },
    "reload-pause": { type: "string", default: "20" },
    "no-backup": { type: "boolean", default: false },
    "backup-members": { type: "string", default: "1M" },
    "backup-seconds": { type: "string", default: "20" },
    "no-console": { type: "boolean", default: false },
    "console-scans": { type: "string", default: "100" },
    "no-gateways": { type: "boolean", default: false },
    "gateways-visits": { type: "string", default: "200" },
    "gateways-gap": { type: "string", default: "100" },
    "gateways-free": { type: "boolean", default: false },
    "no-osdp": { type: "boolean", default: false },
    "osdp-cycles": { type: "string", default: "2000" },
    "osdp-cards": { type: "string", default: "400" },
    "osdp-gateway-cards": { type: "string", default: "600" },
    "osdp-serial-seconds": { type: "string", default: "75" },
    "osdp-quiet-only": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (opt.help) {
  process.stdout.write(
    "usage: npm run bench -- [--sizes 100k,1M,2M] [--decisions N] [--scans N] [--chunk N] [--seed N]\n" +
      "                        [--cache-dir DIR] [--keep] [--reuse] [--out FILE | --no-write]\n" +
      "                        [--only sizes|e2e | --no-e2e] [--e2e-seconds 30] [--e2e-readers 16]\n" +
      "                        [--e2e-boards 4] [--e2e-control-seconds 10] [--e2e-quick]\n" +
      "                        [--only sync | --no-sync] [--sync-members 1M]\n" +
      "                        [--only files | --no-files] [--files-mb 50]\n" +
      "                        [--only doors | --no-doors] [--doors-rounds 200] [--doors-scans 800]\n" +
      "                        [--only metrics | --no-metrics] [--metrics-scrapes 500] [--metrics-gap 20]\n" +
      "                        [--only reload | --no-reload] [--reload-scans 800] [--reload-pause 20]\n" +
      "                        [--only backup | --no-backup] [--backup-members 1M] [--backup-seconds 20]\n" +
      "                        [--only console | --no-console] [--console-scans 100]\n" +
      "                        [--only gateways | --no-gateways] [--gateways-visits 200] [--gateways-gap 100]\n" +
      "                        [--gateways-free] [--only osdp | --no-osdp] [--osdp-cycles 2000]\n" +
      "                        [--osdp-cards 400] [--osdp-gateway-cards 600] [--osdp-serial-seconds 75]\n" +
      "                        [--osdp-quiet-only]\n",
  );
  process.exit(0);
}

/** `100k` → 100000, `2M` → 2000000. */
function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.trim());
  if (!m) throw new Error(`bad size "${text}" (e.g. 100k, 1M, 2M)`);
  const mult = m[2]?.toLowerCase() === "k" ? 1e3 : m[2]?.toLowerCase() === "m" ? 1e6 : 1;
  return Math.round(Number(m[1]) * mult);
}

const FIGURES = ["sizes", "e2e", "sync", "files", "doors", "metrics", "reload", "backup", "console"];
FIGURES.push("gateways", "osdp");
if (opt.only !== undefined && !FIGURES.includes(opt.only)) {
  process.stderr.write(`--only: expected one of ${FIGURES.join(", ")}, found "${opt.only}"\n`);
  process.exit(2);
}
/** Whether the figure `name` runs: every figure without --only, unless --no-<name> says not. */
const wants = (name: string) =>
  (opt.only === undefined || opt.only === name) && !(opt as Record<string, unknown>)[`no-${name}`];
const runSizes = wants("sizes");
const runE2e = wants("e2e");
const runSyncBench = wants("sync");
const runFiles = wants("files");
const runDoors = wants("doors");
const runMetrics = wants("metrics");
const runReload = wants("reload");
const runBackup = wants("backup");
const runConsole = wants("console");
const runGateways = wants("gateways");
const runOsdp = wants("osdp");
const sizes = runSizes
  ? (opt.sizes as string).split(",").map((s) => ({ label: s.trim(), n: parseSize(s) }))
  : [];
const cacheDir = resolve(opt["cache-dir"] as string);
mkdirSync(cacheDir, { recursive: true });
const results: { label: string; r: SizeResult }[] = [];
const started = new Date();
const viaNpm = process.env.npm_lifecycle_event === "bench";
const command = viaNpm
  ? `npm run bench${argv.length > 0 ? ` -- ${argv.join(" ")}` : ""}`
  : `node --expose-gc dist/bench/run.js ${argv.join(" ")}`.trim();
// First, while the machine is quiet: the end-to-end figure needs no cache.
const e2e = runE2e
  ? runEndToEnd(here, cacheDir, {
      quick: opt["e2e-quick"] === true,
      seconds: opt["e2e-seconds"] as string,
      controlSeconds: opt["e2e-control-seconds"] as string,
      readers: opt["e2e-readers"] as string,
      boards: opt["e2e-boards"] as string,
    })
  : undefined;
if (e2e) {
  process.stdout.write(`\nend to end\n${renderE2eText(e2eRows(e2e.result, e2e.control))}\n`);
}
const sync = runSyncBench ? runSync(here, cacheDir, opt["sync-members"] as string) : undefined;
if (sync) process.stdout.write(`\nsync\n${renderSyncText(syncRows(sync))}\n`);
const files = runFiles
  ? runFileImport(root, join(cacheDir, "files"), Number(opt["files-mb"]), Number(opt.seed))
  : undefined;
if (files) process.stdout.write(`\nfile import\n${renderFilesText(files)}\n`);
const doors = runDoors
  ? await runDoorsBench(join(cacheDir, "doors"), {
      rounds: Number(opt["doors-rounds"]),
      scans: Number(opt["doors-scans"]),
    })
  : undefined;
if (doors) process.stdout.write(`\ndoors\n${renderDoorsText(doors)}\n`);
const metrics = runMetrics
  ? await runMetricsBench(join(cacheDir, "metrics"), {
      scrapes: Number(opt["metrics-scrapes"]),
      gapMs: Number(opt["metrics-gap"]),
    })
  : undefined;
if (metrics) process.stdout.write(`\n/metrics\n${renderMetricsText(metrics)}\n`);

const reload = runReload
  ? await runReloadBench(join(cacheDir, "reload"), {
      scans: Number(opt["reload-scans"]),
      pauseMs: Number(opt["reload-pause"]),
    })
  : undefined;
if (reload) process.stdout.write(`\nreload\n${renderTargetText(reloadRows(reload))}\n`);

const backup = runBackup
  ? await runBackupBench(join(cacheDir, "backup"), {
      root,
      members: parseSize(opt["backup-members"] as string),
      seed: Number(opt.seed),
      seconds: Number(opt["backup-seconds"]),
      scanIntervalMs: 10,
    })
  : undefined;
if (backup) process.stdout.write(`\nbackup\n${renderBackupText(backup)}\n`);

const consoleFigures = runConsole
  ? await runConsoleBench(join(cacheDir, "console"), { root, scans: Number(opt["console-scans"]) })
  : undefined;
if (consoleFigures) process.stdout.write(`\nconsole\n${renderConsoleText(consoleFigures)}\n`);

const gateways = runGateways
  ? await runGatewaysBench(join(cacheDir, "gateways"), {
      visits: Number(opt["gateways-visits"]),
      gapMs: Number(opt["gateways-gap"]),
      probeMs: 2,
      free: opt["gateways-free"] === true,
    })
  : undefined;
if (gateways) process.stdout.write(`\ngateways\n${renderGatewaysText(gateways)}\n`);

const osdp = runOsdp
  ? await runOsdpFigures(cacheDir, here, {
      cycles: Number(opt["osdp-cycles"]),
      cards: Number(opt["osdp-cards"]),
      gatewayCards: Number(opt["osdp-gateway-cards"]),
      serialSeconds: opt["osdp-serial-seconds"] as string,
      quietOnly: opt["osdp-quiet-only"] as boolean,
    })
  : undefined;
if (osdp) process.stdout.write(`\nOSDP\n${renderOsdpText(osdp)}\n`);

for (const { label, n } of sizes) {
  const dir = join(cacheDir, `members-${label}`);
  const out = join(cacheDir, `result-${label}.json`);
  if (!opt.reuse) rmSync(dir, { recursive: true, force: true });
  process.stderr.write(
    `\n${label} members: ${opt.reuse && existsSync(dir) ? "reusing" : "generating"} ${dir}\n`,
  );
  const child = spawnSync(
    process.execPath,
    [
      "--expose-gc",
      join(here, "measure.js"),
      ...["--size", String(n), "--dir", dir, "--out", out, "--seed", opt.seed as string],
      ...[
        "--decisions",
        opt.decisions as string,
        "--scans",
        opt.scans as string,
        "--chunk",
        opt.chunk as string,
      ],
      ...(opt.reuse ? ["--reuse"] : []),
    ],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  if (child.status !== 0) {
    process.stderr.write(`${label}: the measuring process failed (${child.status ?? child.signal})\n`);
    process.exit(1);
  }
  results.push({ label, r: JSON.parse(readFileSync(out, "utf8")) as SizeResult });
  rmSync(out, { force: true });
  if (!opt.keep) rmSync(dir, { recursive: true, force: true });
}

const table: Row[] = rows(results);
if (runSizes)
  process.stdout.write(
    `\n${renderText(
      results.map((x) => x.label),
      table,
    )}\n`,
  );

if (runSizes && !opt["no-write"]) {
  const m = machine(cacheDir);
  const generated = renderMarkdown({
    machine: { ...m, os: `Linux ${release()}` },
    date: started.toISOString(),
    command,
    labels: results.map((x) => x.label),
    table,
    results,
  });
  const file = resolve(opt.out as string);
  const begin = "<!-- bench:begin -->";
  const end = "<!-- bench:end -->";
  let doc = existsSync(file) ? readFileSync(file, "utf8") : "";
  const block = `${begin}\n${generated}\n${end}`;
  if (doc.includes(begin) && doc.includes(end))
    doc = doc.slice(0, doc.indexOf(begin)) + block + doc.slice(doc.indexOf(end) + end.length);
  else
    doc = `# Benchmarks\n\n\`npm run bench\` rewrites the block between the markers; what follows it is written by hand and kept.\n\n${block}\n\n## Analysis\n\n(to be written)\n`;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, doc);
  process.stderr.write(`written to ${file}\n`);
}

// Written after the sizes' block, which may (re)create the file.
if (e2e && !opt["no-write"]) {
  // The disk of the folder the gateway's database was in.
  const m = { ...machine(dirname(e2e.result.dir)), os: `Linux ${release()}` };
  const body = renderE2eMarkdown({ ...e2e, date: started.toISOString(), command, machine: m });
  writeFigures(markers("e2e"), "End-to-end latency", body, "end-to-end");
}
if (sync && !opt["no-write"]) {
  const m = { ...machine(cacheDir), os: `Linux ${release()}` };
  const body = renderSyncMarkdown({ run: sync, date: started.toISOString(), command, machine: m });
  writeFigures(markers("sync"), "Central sync", body, "sync");
}

/** Writes one block of figures between its markers (under `heading` at the end the first time). */
function writeFigures(markers: [string, string], heading: string, body: string, what: string): void {
  const file = resolve(opt.out as string);
  editDoc(file, (doc) =>
    replaceBlock(
      doc,
      markers[0],
      markers[1],
      body,
      (d, block) => `${d.trimEnd()}\n\n## ${heading}\n\n${block}\n`,
    ),
  );
  process.stderr.write(`${what} figures written to ${file}\n`);
}

if (files && !opt["no-write"])
  writeFigures(
    markers("files"),
    "File import",
    renderFilesMarkdown(files, started.toISOString(), command),
    "file import",
  );
if (doors && !opt["no-write"])
  writeFigures(
    markers("doors"),
    "Doors",
    renderDoorsMarkdown(doors, started.toISOString(), command),
    "doors",
  );
if (backup && !opt["no-write"])
  writeFigures(
    markers("backup"),
    "Backup",
    renderBackupMarkdown(backup, started.toISOString(), command),
    "backup",
  );
if (consoleFigures && !opt["no-write"])
  writeFigures(
    markers("console"),
    "Console",
    renderConsoleMarkdown(consoleFigures, started.toISOString(), command),
    "console",
  );
if (gateways && !opt["no-write"])
  writeFigures(
    markers("gateways"),
    "Several gateways on one site",
    renderGatewaysMarkdown(gateways, started.toISOString(), command),
    "gateways",
  );
if (metrics && !opt["no-write"])
  writeFigures(
    markers("metrics"),
    "Metrics scrape",
    renderMetricsMarkdown(metrics, started.toISOString(), command),
    "metrics",
  );
if (osdp && !opt["no-write"])
  writeFigures(
    markers("osdp"),
    "OSDP readers",
    renderOsdpMarkdown(osdp, started.toISOString(), command),
    "OSDP",
  );

/**
 * Issue 10's backup benchmark: a cache of N generated members (1M by default) scanned at a steady
 * rate by this process (the daemon's connection and decision path), first alone, then while
 * `accessgw backup` — the real command, in its own process, as an operator runs it — copies the
 * cache. Figures: the backup's copy time and whole run, its size, and the scan latency with and
 * without it (target: p99 during the backup within 2× its value without).
 */
import { spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { scan } from "../gateway/decisions.js";
import { Store } from "../gateway/store/db.js";
import { primaryCard, unknownCard } from "./generate.js";
import { populate } from "./populate.js";
import { Rng } from "./prng.js";
import { SCAN_AREAS, WEEK_START } from "./site.js";
import { type Latency, MB, summarise } from "./stats.js";
import { renderTargetMarkdown, renderTargetText, type TargetRow } from "./targetTable.js";

/** What the backup benchmark measured. */
export interface BackupBenchResult {
  members: number;
  /** Bytes of the backup file. */
  bytes: number;
  /** The copy itself (SQLite's backup step), as the command reports it. */
  copyMs: number;
  /** The whole `accessgw backup` run, start to exit (integrity check and rename included). */
  runMs: number;
  scanIntervalMs: number;
  without: Latency;
  during: Latency;
}

/** Scans one card every `intervalMs` until `until` resolves; the latency of each, in ns. */
async function scanWhile(
  store: Store,
  members: number,
  intervalMs: number,
  until: Promise<unknown>,
): Promise<Latency> {
  const rng = new Rng(0x5ca9, members);
  const ns: number[] = [];
  let done = false;
  void until.finally(() => {
    done = true;
  });
  let at = WEEK_START + 8 * 3_600_000;
  while (!done) {
    const card = rng.chance(0.8) ? primaryCard(rng.int(0, members - 1)) : unknownCard(rng);
    const t0 = process.hrtime.bigint();
    scan(store, { card, area: rng.weighted(SCAN_AREAS), direction: "in", readerId: null }, at, "gw-bench");
    ns.push(Number(process.hrtime.bigint() - t0));
    at += 1000;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return summarise(Float64Array.from(ns));
}

/** Runs `accessgw backup --json` (the compiled command of the checkout at `root`) on `data`. */
function runBackup(
  root: string,
  data: string,
  to: string,
): Promise<{ out: { ms: number; bytes: number }; runMs: number }> {
  const started = performance.now();
  return new Promise((ok, fail) => {
    const bin = join(root, "bin", "accessgw.js");
    const child = spawn(process.execPath, [bin, "backup", "--to", to, "--data", data, "--json"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let text = "";
    child.stdout.on("data", (b: Buffer) => {
      text += b.toString("utf8");
    });
    child.on("error", fail);
    child.on("exit", (code) => {
      if (code !== 0) fail(new Error(`accessgw backup exited ${code}`));
      else ok({ out: JSON.parse(text) as { ms: number; bytes: number }, runMs: performance.now() - started });
    });
  });
}

/** Generates the cache in `dir` (removed first and after), then measures; see the file comment. */
export async function runBackupBench(
  dir: string,
  o: { root: string; members: number; seed: number; seconds: number; scanIntervalMs: number },
): Promise<BackupBenchResult> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const data = join(dir, "data");
  const log = (text: string) => process.stderr.write(`  [backup] ${text}\n`);
  const store = Store.open(data);
  try {
    await populate(store, { size: o.members, seed: o.seed, chunk: 1000, log });
    log(`scanning every ${o.scanIntervalMs} ms for ${o.seconds} s without a backup`);
    const without = await scanWhile(store, o.members, o.scanIntervalMs, sleep(o.seconds * 1000));
    log("scanning while accessgw backup runs");
    const backup = runBackup(o.root, data, join(dir, "backup.db"));
    const during = await scanWhile(
      store,
      o.members,
      o.scanIntervalMs,
      backup.catch(() => undefined),
    );
    const b = await backup;
    return {
      members: o.members,
      bytes: b.out.bytes,
      copyMs: b.out.ms,
      runMs: b.runMs,
      scanIntervalMs: o.scanIntervalMs,
      without,
      during,
    };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The figures next to their targets. */
export function backupRows(r: BackupBenchResult): TargetRow[] {
  const f = (n: number) => n.toFixed(2);
  return [
    {
      name: `backup of ${r.members} members: copy`,
      target: "—",
      value: `${(r.copyMs / 1000).toFixed(1)} s`,
      pass: null,
    },
    {
      name: "backup: whole command (quick check, fsync)",
      target: "—",
      value: `${(r.runMs / 1000).toFixed(1)} s`,
      pass: null,
    },
    { name: "backup file", target: "—", value: `${Math.round(r.bytes / MB)} MiB`, pass: null },
    {
      name: `scan p99 without a backup (n ${r.without.n})`,
      target: "—",
      value: `${f(r.without.p99)} ms`,
      pass: null,
    },
    {
      name: `scan p99 during the backup (n ${r.during.n})`,
      target: "≤ 2× without",
      value: `${f(r.during.p99)} ms`,
      pass: r.during.p99 <= 2 * r.without.p99,
    },
    { name: "scan max during the backup", target: "—", value: `${f(r.during.max)} ms`, pass: null },
  ];
}

/** The figures for the terminal. */
export function renderBackupText(r: BackupBenchResult): string {
  return renderTargetText(backupRows(r));
}

/** The figures for docs/benchmarks.md. */
export function renderBackupMarkdown(r: BackupBenchResult, date: string, command: string): string {
  return [
    `Measured ${date} with \`${command}\`: ${r.members} generated members, a scan every`,
    `${r.scanIntervalMs} ms in the benchmark's process (the daemon's connection and decision path), and`,
    "`accessgw backup --json` run as its own process while the scans go on.",
    "",
    ...renderTargetMarkdown(backupRows(r)),
  ].join("\n");
}

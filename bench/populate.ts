/**
 * Fills a cache with the benchmark's site and `size` generated members through the real import
 * path, in chunks, checked on a worker while written (what `accessgw import` does), timing
 * generation, checking and writing apart.
 * Shared by the per-size benchmark (measure.ts) and the backup benchmark (backup.ts).
 */
import { join } from "node:path";
import { dataInvalid, loadDataFiles } from "../config/dataFile.js";
import { DB_FILE, type Store } from "../gateway/store/db.js";
import { type FoldOutcome, foldHistory } from "../gateway/store/historyFold.js";
import { ImportWriter, importFiles } from "../gateway/store/importer.js";
import { CHECKER_LIMITS, followChecks } from "../gateway/store/importWindow.js";
import { startModuleWorker } from "../runtime/moduleWorker.js";
import { type GenStats, newStats } from "./generate.js";
import type { PopulateWorkerData, PopulateWorkerTotals } from "./populateWorker.js";
import { SITE } from "./site.js";
import { MB, memory, threadCpuMs } from "./stats.js";

/**
 * What populate generated; the nanoseconds the worker spent generating and checking, the main
 * thread writing, and the import's wall time from its start to the last commit (the two overlap).
 */
export interface Populated {
  stats: GenStats;
  generateNs: bigint;
  validateNs: bigint;
  importNs: bigint;
  wallNs: bigint;
  /** CPU milliseconds of the writing (main) thread and of the checking worker over the import (Linux). */
  writeCpuMs: number | null;
  checkCpuMs: number | null;
}

/**
 * Imports the site, runs `before`, then `size` members `chunk` at a time as `accessgw import` runs
 * (fileImport.ts): a worker generates and checks chunk N+1 while this thread writes chunk N; the
 * transaction is committed on the verdict of every `commitEvery` members' last chunk (`accessgw
 * import` commits once, at the end). Logs progress every tenth.
 */
export async function populate(
  store: Store,
  o: {
    size: number;
    seed: number;
    chunk: number;
    /** Members per transaction (whole chunks; default: one chunk). */
    commitEvery?: number;
    log: (text: string) => void;
    before?: () => unknown;
  },
): Promise<Populated> {
  const now = () => process.hrtime.bigint();
  const out: Populated = {
    stats: newStats(),
    generateNs: 0n,
    validateNs: 0n,
    importNs: 0n,
    wallNs: 0n,
    writeCpuMs: null,
    checkCpuMs: null,
  };
  importFiles(store, loadDataFiles([{ name: "bench-site.yaml", value: SITE }], store.siteConfig()));
  // Run after the site is in (a fold needs its horizon); on an empty cache foldHistory does all
  // its work before its first await, so the members below already see its cut.
  o.before?.();
  const data: PopulateWorkerData = {
    size: o.size,
    seed: o.seed,
    chunk: o.chunk,
    stored: store.siteConfig(),
    dir: store.dir,
    dbFile: join(store.dir, DB_FILE),
    window: new SharedArrayBuffer(4),
  };
  const t0 = now();
  const cpu0 = threadCpuMs();
  const worker = startModuleWorker(new URL("./populateWorker.js", import.meta.url), {
    workerData: data,
    resourceLimits: CHECKER_LIMITS,
  });
  worker.on("message", (m: { type: string }) => {
    if (m.type !== "totals") return;
    const t = m as PopulateWorkerTotals;
    out.stats = t.stats;
    out.generateNs = BigInt(t.generateNs);
    out.validateNs = BigInt(t.checkNs);
    out.checkCpuMs = t.cpuMs;
  });
  let writer = new ImportWriter(store, "import");
  const commitEvery = Math.max(1, Math.round((o.commitEvery ?? o.chunk) / o.chunk)) * o.chunk;
  let done = 0;
  let nextLog = 0;
  const timed = <T>(fn: () => T): T => {
    const s = now();
    try {
      return fn();
    } finally {
      out.importNs += now() - s;
    }
  };
  try {
    await followChecks(worker, data.window, {
      members: (batch) => timed(() => writer.members(batch)),
      done(result) {
        if (result.count > 0) throw dataInvalid(result.count, result.problems);
        done = Math.min(o.size, done + o.chunk);
        // A chunk checked and found sound stays in the open transaction until enough are written.
        if (done % commitEvery === 0 || done >= o.size) {
          timed(() => writer.finish(result.files));
          writer = new ImportWriter(store, "import");
        }
        if (done >= nextLog || done >= o.size) {
          const rate = (done / Number(now() - t0)) * 1e9;
          o.log(
            `${done} members imported (${Math.round(rate)} members/s, rss ${Math.round(memory().rss / MB)} MB)`,
          );
          nextLog += o.size / 10;
        }
        return done >= o.size;
      },
    });
  } catch (err) {
    writer.abandon();
    throw err;
  } finally {
    out.wallNs = now() - t0;
    const cpu1 = threadCpuMs();
    out.writeCpuMs = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
    await worker.terminate();
  }
  return out;
}

/**
 * The gateway's own history fold, one whole pass at `now` (sync.md "History horizon"): what a
 * daemon started on this cache does within a minute. Returns what it folded and its nanoseconds.
 */
export async function foldOnce(store: Store, now: number): Promise<FoldOutcome & { ns: bigint }> {
  const t0 = process.hrtime.bigint();
  const out = await foldHistory(store, now);
  return { ...out, ns: process.hrtime.bigint() - t0 };
}

/**
 * The checking thread of the sizes benchmark's import (populate.ts): generates the members chunk by
 * chunk and checks each chunk as `accessgw import` checks a file (importCheck.ts), posting the
 * checked members with the same window and a verdict per chunk, while the main thread writes.
 */
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import type { SiteConfig } from "../config/site.js";
import { checkImport } from "../gateway/store/importCheck.js";
import { type ImportWorkerMessage, windowedSink } from "../gateway/store/importWindow.js";
import { type GenStats, generateMember, newStats } from "./generate.js";
import { threadCpuMs } from "./stats.js";

/** What populate.ts hands the worker. */
export interface PopulateWorkerData {
  size: number;
  seed: number;
  chunk: number;
  stored: SiteConfig | null;
  dir: string;
  dbFile: string;
  window: SharedArrayBuffer;
}

/** Posted once, just before the last chunk's verdict: what was generated and the worker's own times. */
export interface PopulateWorkerTotals {
  type: "totals";
  stats: GenStats;
  generateNs: string;
  checkNs: string;
  /** This thread's CPU milliseconds (Linux), or null. */
  cpuMs: number | null;
}

const port = parentPort;
if (port) {
  const data = workerData as PopulateWorkerData;
  const db = new Database(data.dbFile, { readonly: true, fileMustExist: true });
  try {
    const owner = db.prepare("SELECT member_id FROM multipacks WHERE id = ?").pluck();
    const sink = windowedSink(port, data.window);
    const stats = newStats();
    let generateNs = 0n;
    let checkNs = 0n;
    const cpu0 = threadCpuMs();
    for (let start = 0; start < data.size; start += data.chunk) {
      const t0 = process.hrtime.bigint();
      const members: Record<string, unknown>[] = [];
      for (let i = start; i < Math.min(data.size, start + data.chunk); i++)
        members.push(generateMember(data.seed, i, stats));
      const t1 = process.hrtime.bigint();
      const input = { inputs: [{ name: `members-${start}.json`, value: { members } }], stored: data.stored };
      const result = checkImport(
        { ...input, dir: data.dir },
        (id) => owner.get(id) as string | undefined,
        sink,
      );
      checkNs += process.hrtime.bigint() - t1;
      generateNs += t1 - t0;
      // The totals go before the last verdict: the writer stops listening at that verdict.
      if (start + data.chunk >= data.size) {
        const totals: PopulateWorkerTotals = {
          type: "totals",
          stats,
          generateNs: String(generateNs),
          checkNs: String(checkNs),
          cpuMs: cpu0 === null ? null : (threadCpuMs() as number) - cpu0,
        };
        port.postMessage(totals);
      }
      port.postMessage({ type: "done", result } satisfies ImportWorkerMessage);
    }
  } finally {
    db.close();
  }
}

/**
 * Fills a cache with the benchmark's site and `size` generated members through the real import
 * path, in chunks (what `accessgw import` does), timing generation, validation and import apart.
 * Shared by the per-size benchmark (measure.ts) and the backup benchmark (backup.ts).
 */
import { loadDataFiles } from "../config/dataFile.js";
import type { Store } from "../gateway/store/db.js";
import { multipackOwner } from "../gateway/store/facts.js";
import { type FoldOutcome, foldHistory } from "../gateway/store/historyFold.js";
import { importFiles } from "../gateway/store/importer.js";
import { type GenStats, generateMember, newStats } from "./generate.js";
import { SITE } from "./site.js";
import { MB, memory } from "./stats.js";

/** What populate generated, and the nanoseconds spent generating, validating and importing. */
export interface Populated {
  stats: GenStats;
  generateNs: bigint;
  validateNs: bigint;
  importNs: bigint;
}

/** Imports the site, runs `before`, then `size` members `chunk` at a time; logs progress every tenth. */
export function populate(
  store: Store,
  o: { size: number; seed: number; chunk: number; log: (text: string) => void; before?: () => unknown },
): Populated {
  const now = () => process.hrtime.bigint();
  const out: Populated = { stats: newStats(), generateNs: 0n, validateNs: 0n, importNs: 0n };
  importFiles(store, loadDataFiles([{ name: "bench-site.yaml", value: SITE }], store.siteConfig()));
  // Run after the site is in (a fold needs its horizon); on an empty cache foldHistory does all
  // its work before its first await, so the members below already see its cut.
  o.before?.();
  let nextLog = 0;
  for (let start = 0; start < o.size; start += o.chunk) {
    const t0 = now();
    const members: Record<string, unknown>[] = [];
    for (let i = start; i < Math.min(o.size, start + o.chunk); i++)
      members.push(generateMember(o.seed, i, out.stats));
    const t1 = now();
    const files = loadDataFiles(
      [{ name: `members-${start}.json`, value: { members } }],
      store.siteConfig(),
      (id) => multipackOwner(store, id),
    );
    const t2 = now();
    importFiles(store, files);
    const t3 = now();
    out.generateNs += t1 - t0;
    out.validateNs += t2 - t1;
    out.importNs += t3 - t2;
    if (start + o.chunk >= nextLog || start + o.chunk >= o.size) {
      const done = Math.min(o.size, start + o.chunk);
      const rate = (done / (Number(out.validateNs + out.importNs) / 1e6)) * 1000;
      o.log(
        `${done} members imported (${Math.round(rate)} members/s, rss ${Math.round(memory().rss / MB)} MB)`,
      );
      nextLog += o.size / 10;
    }
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

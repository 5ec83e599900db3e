/**
 * One benchmark size, run in its own process (so its memory is its own): generates the members,
 * imports them through the real import path in chunks, then measures the single-SELECT floor,
 * `explain`, `scan` and a bare commit, and writes the figures as JSON.
 *
 *   node --expose-gc dist/bench/measure.js --size 100000 --dir bench/.cache/100k --out r.json
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { canonicalCard } from "../config/cardNumber.js";
import { explain, scan } from "../gateway/decisions.js";
import type { DecisionRequest } from "../gateway/engine/types.js";
import { Checkpointer } from "../gateway/store/checkpointer.js";
import { DB_FILE, Store } from "../gateway/store/db.js";
import { type CacheSize, cacheSize, renderCacheSize } from "./cacheSize.js";
import { type GenStats, generateMember, newStats, primaryCard, unknownCard } from "./generate.js";
import { quiet } from "./logs.js";
import { foldOnce, populate } from "./populate.js";
import { Rng } from "./prng.js";
import { SCAN_AREAS, SITE, WEEK_START } from "./site.js";
import { dbSize, ioCounters, type Latency, MB, memory, summarise } from "./stats.js";
import { framesOf } from "./walFrames.js";

const { values: opt } = parseArgs({
  options: {
    size: { type: "string" },
    dir: { type: "string" },
    out: { type: "string" },
    seed: { type: "string", default: "20261207" },
    chunk: { type: "string", default: "1000" },
    // Members per import transaction: one fsync'd commit each (synchronous=FULL).
    "commit-every": { type: "string", default: "10000" },
    decisions: { type: "string", default: "20000" },
    scans: { type: "string", default: "10000" },
    warmup: { type: "string", default: "3000" },
    reuse: { type: "boolean", default: false },
    only: { type: "string" },
    // A fold pass on the empty cache first: members are then folded on the way in, as an import
    // into a running daemon's cache is (issue 12 §3: the steady state's size).
    "fold-first": { type: "boolean", default: false },
  },
});
const size = Number(opt.size);
const seed = Number(opt.seed);
const chunk = Number(opt.chunk);
const nDecisions = Number(opt.decisions);
const nScans = Number(opt.scans);
const nWarmup = Number(opt.warmup);
if (!opt.dir || !(size > 0)) throw new Error("usage: measure --size N --dir DIR [--out FILE]");
const dir = opt.dir;
const only = new Set((opt.only ?? "floor,explain,scan,commit").split(","));

const now = () => process.hrtime.bigint();
const ms = (ns: bigint) => Number(ns) / 1e6;
const log = (text: string) => process.stderr.write(`  [${opt.size}] ${text}\n`);
const gc = () => (globalThis as { gc?: () => void }).gc?.();

/** Result of one size, as read by run.ts. */
export interface SizeResult {
  size: number;
  reused: boolean;
  generated: GenStats;
  generateMs: number;
  /** The worker's checking (importCheck.ts) and the main thread's writing: they overlap. */
  validateMs: number;
  importMs: number;
  /** From the first chunk's generation to the last commit (populate.ts). */
  pipelineMs?: number;
  /** CPU milliseconds of the writing thread and of the checking worker during the import (Linux). */
  writeCpuMs?: number | null;
  checkCpuMs?: number | null;
  /** Members per second through the pipelined import, over its wall time (generation overlapped, on the worker). */
  importRate: number;
  dbBytes: number;
  walBytes: number;
  dbBytesAfter: number;
  walBytesAfter: number;
  rssAfterImport: number;
  /** Peak RSS up to the end of the import (VmHWM then). */
  peakAfterImport?: number;
  /** Issue 12 §3: the cache by B-tree after import and after the gateway's own fold pass. */
  sizeAfterImport?: CacheSize;
  sizeAfterFold?: CacheSize;
  /** The fold pass at the start of the scanned week: its milliseconds, rows folded, visits deleted. */
  fold?: { ms: number; entries: number; visits: number };
  rssEnd: number;
  peakRss: number;
  floor?: Latency;
  explain?: Latency;
  scan?: Latency;
  /** WAL frames (pages) a scan's commit writes, by decision: scans, mean, max. */
  scanFrames?: Record<string, { n: number; mean: number; max: number }>;
  commit?: Latency;
  outcomes: Record<string, number>;
  totalMs: number;
}

const started = now();
const store = Store.open(dir);
const stored = store.meta("bench");
const reuse = opt.reuse && stored !== undefined && JSON.parse(stored).size === size;
let stats = newStats();
let generateNs = 0n;
let validateNs = 0n;
let importNs = 0n;
let wallNs = 0n;
let cpu: { writeCpuMs: number | null; checkCpuMs: number | null } = { writeCpuMs: null, checkCpuMs: null };

if (reuse) {
  stats = JSON.parse(stored as string).stats as GenStats;
  log(`reusing the cache in ${dir}`);
} else {
  if (existsSync(join(dir, DB_FILE)) && store.siteConfig())
    throw new Error(`${dir} already holds a cache: remove it or pass --reuse`);
  const filled = await populate(store, {
    size,
    seed,
    chunk,
    commitEvery: Number(opt["commit-every"]),
    log,
    before: opt["fold-first"] ? () => foldOnce(store, WEEK_START) : undefined,
  });
  stats = filled.stats;
  generateNs = filled.generateNs;
  validateNs = filled.validateNs;
  importNs = filled.importNs;
  wallNs = filled.wallNs;
  cpu = { writeCpuMs: filled.writeCpuMs, checkCpuMs: filled.checkCpuMs };
  log(`import CPU: writing ${cpu.writeCpuMs} ms, checking and generating ${cpu.checkCpuMs} ms`);
  store.setMeta("bench", JSON.stringify({ size, seed, stats }));
}
gc();
const afterImport = dbSize(join(dir, DB_FILE));
const rssAfterImport = memory().rss;
// The peak so far is the import's: the fold pass and the measurements below may raise it.
const peakAfterImport = memory().peak;
log(
  `generated ${stats.members} members, ${stats.multipacks} multipacks, ${stats.ledger} ledger entries, ` +
    `${stats.bookings} bookings; db ${Math.round(afterImport.db / MB)} MB + wal ${Math.round(afterImport.wal / MB)} MB; ` +
    `peak RSS so far ${Math.round(peakAfterImport / MB)} MB`,
);

// Issue 12 §3: where the bytes go, then the fold a daemon runs within a minute of its start, at the
// first instant decided below (so no decision is taken before the instant it folded at).
const sizeAfterImport = reuse ? undefined : cacheSize(store);
let fold: SizeResult["fold"];
let sizeAfterFold: CacheSize | undefined;
if (sizeAfterImport) {
  for (const line of renderCacheSize("after import", sizeAfterImport)) log(line);
  const folded = await foldOnce(store, WEEK_START);
  fold = { ms: ms(folded.ns), entries: folded.entries, visits: folded.visits };
  log(
    `fold at the week's start: ${fold.entries} ledger rows, ${fold.visits} visits, ${fold.ms.toFixed(0)} ms`,
  );
  sizeAfterFold = cacheSize(store);
  for (const line of renderCacheSize("after the fold", sizeAfterFold)) log(line);
}

const DAY_KEYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
/** Scans whose WAL frames are counted after the timed ones. */
const FRAME_SCANS = 500;
const HOLIDAY = 1; // 2026-12-08, the Tuesday of the scanned week
const toMin = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** A day of the scanned week (0 = Monday) and a minute at which one of the windows is open. */
function openTime(
  rng: Rng,
  windows: { days: string[]; from: string; to: string }[],
): { day: number; minute: number } | null {
  const w = rng.pick(windows);
  const days = [0, 1, 2, 3, 4, 5, 6].filter((d) =>
    w.days.includes(d === HOLIDAY ? "hol" : (DAY_KEYS[d] as string)),
  );
  if (days.length === 0) return null;
  const from = toMin(w.from);
  const to = toMin(w.to) <= from ? toMin(w.to) + 1440 : toMin(w.to);
  const minute = rng.int(from, to - 1);
  const day = rng.pick(days) + Math.floor(minute / 1440);
  return day > 6 ? null : { day, minute: minute % 1440 };
}

/**
 * Random scans: 80% known cards (some written without leading zeros), 20% unknown ones; a member
 * mostly goes where one of their multipacks lets them (85%), else anywhere; mostly during opening hours.
 */
function requests(n: number, stream: number): { req: DecisionRequest; at: number }[] {
  const rng = new Rng(seed ^ 0x5ca9, stream);
  const out: { req: DecisionRequest; at: number }[] = [];
  for (let k = 0; k < n; k++) {
    let card: string;
    let area = rng.weighted(SCAN_AREAS);
    let when: { day: number; minute: number } | null = null;
    if (rng.chance(0.8)) {
      const i = rng.int(0, size - 1);
      card = primaryCard(i);
      if (rng.chance(0.3)) card = canonicalCard(card);
      const mps = generateMember(seed, i, newStats()).multipacks as { product: string }[];
      if (mps.length > 0 && rng.chance(0.85)) {
        const product = SITE.products.find((p) => p.id === rng.pick(mps).product);
        const item = rng.pick(product?.items ?? []);
        const type = SITE.accessTypes.find((t) => t.id === item?.accessType);
        if (type) {
          area = rng.pick(type.areas);
          // Mostly when that access type is open.
          if (rng.chance(0.85)) when = openTime(rng, type.windows);
        }
      }
    } else card = unknownCard(rng);
    const day = when?.day ?? rng.int(0, 6);
    const minute =
      when?.minute ?? (rng.chance(0.9) ? rng.int(6 * 60, 23 * 60 + 30) : rng.int(0, 24 * 60 - 1));
    const at = WEEK_START + day * 86_400_000 + minute * 60_000 + rng.int(0, 59_999);
    const direction = rng.chance(0.88) ? "in" : "out";
    out.push({ req: { card, area, direction, readerId: null }, at });
  }
  return out;
}

/** Times `fn` over each request after a warm-up; returns the latency summary. */
function timed<T>(
  name: string,
  warm: number,
  list: { req: DecisionRequest; at: number }[],
  fn: (r: { req: DecisionRequest; at: number }) => T,
  each?: (r: T) => void,
): Latency {
  for (let k = 0; k < Math.min(warm, list.length); k++) fn(list[k] as { req: DecisionRequest; at: number });
  const body = list.slice(warm);
  const ns = new Float64Array(body.length);
  gc();
  const io0 = ioCounters();
  const t0 = now();
  for (let k = 0; k < body.length; k++) {
    const s = now();
    const r = fn(body[k] as { req: DecisionRequest; at: number });
    ns[k] = Number(now() - s);
    each?.(r);
  }
  const io1 = ioCounters();
  const lat = summarise(ns);
  lat.readsPerOp = (io1.syscr - io0.syscr) / body.length;
  lat.diskReadMB = (io1.readBytes - io0.readBytes) / MB;
  log(
    `${name}: n=${lat.n} p50 ${lat.p50.toFixed(4)} ms, p99 ${lat.p99.toFixed(4)} ms, max ${lat.max.toFixed(3)} ms (${ms(now() - t0).toFixed(0)} ms; ` +
      `${lat.readsPerOp.toFixed(1)} reads/op, ${lat.diskReadMB.toFixed(1)} MB from disk)`,
  );
  return lat;
}

const result: SizeResult = {
  size,
  reused: reuse,
  generated: stats,
  generateMs: ms(generateNs),
  validateMs: ms(validateNs),
  importMs: ms(importNs),
  pipelineMs: ms(wallNs),
  ...cpu,
  importRate: reuse ? 0 : size / (ms(wallNs) / 1000),
  dbBytes: afterImport.db,
  walBytes: afterImport.wal,
  dbBytesAfter: 0,
  walBytesAfter: 0,
  rssAfterImport,
  peakAfterImport,
  sizeAfterImport,
  sizeAfterFold,
  fold,
  rssEnd: 0,
  peakRss: 0,
  outcomes: {},
  totalMs: 0,
};

// The floor: one indexed SELECT of a card, the same statement `findCard` uses.
if (only.has("floor")) {
  const card = store.prepare(
    "SELECT canonical, status, valid_from, valid_to, member_id FROM cards WHERE canonical = ?",
  );
  result.floor = timed("floor (SELECT card)", nWarmup, requests(nWarmup + nDecisions, 1), (r) =>
    card.get(canonicalCard(r.req.card)),
  );
}

if (only.has("explain")) {
  const tally = (d: { decision: string; reason: string }) => {
    const key = `${d.decision} ${d.reason}`;
    result.outcomes[key] = (result.outcomes[key] ?? 0) + 1;
  };
  result.explain = timed(
    "explain",
    nWarmup,
    requests(nWarmup + nDecisions, 2),
    (r) => explain(store, r.req, r.at),
    tally,
  );
}

if (only.has("scan")) {
  // As the daemon runs (startCommand.ts): WAL checkpoints on a worker thread, never inside a scan's
  // commit (SQLite's automatic one copies ~1000 pages and fsyncs the database in the commit that
  // crosses them: a scan writes about a dozen pages, so one scan in eighty or so would pay it).
  const checkpointer = new Checkpointer(store, join(dir, DB_FILE), quiet());
  checkpointer.start();
  try {
    const warm = Math.min(nWarmup, 500);
    result.scan = timed("scan (synchronous=FULL)", warm, requests(warm + nScans, 3), (r) =>
      scan(store, r.req, r.at, "bench-gw"),
    );
  } finally {
    await checkpointer.stop();
  }
  // The WAL frames (pages written and fsynced) of each scan's commit, by outcome, on more scans of
  // the same kind with the checkpointer stopped (each scan starts on an empty WAL).
  const frames: Record<string, number[]> = {};
  for (const r of requests(FRAME_SCANS, 5)) {
    let outcome = "";
    const n = framesOf(store, () => {
      outcome = scan(store, r.req, r.at, "bench-gw").decision;
    }).length;
    frames[outcome] = [...(frames[outcome] ?? []), n];
  }
  result.scanFrames = Object.fromEntries(
    Object.entries(frames).map(([k, ns]) => [
      k,
      { n: ns.length, mean: ns.reduce((a, b) => a + b, 0) / ns.length, max: Math.max(...ns) },
    ]),
  );
  log(`scan WAL frames: ${JSON.stringify(result.scanFrames)}`);
}

// The disk's floor for a durable write: a bare BEGIN; INSERT; COMMIT on the same database.
if (only.has("commit")) {
  store.db.exec("CREATE TABLE IF NOT EXISTS bench_commit_floor (k INTEGER PRIMARY KEY, v TEXT NOT NULL)");
  const insert = store.db.prepare("INSERT INTO bench_commit_floor (v) VALUES (?)");
  const tx = store.db.transaction(() => insert.run("x"));
  const warm = 200;
  result.commit = timed("commit floor (BEGIN; INSERT; COMMIT)", warm, requests(warm + 3000, 4), () =>
    tx.immediate(),
  );
}

const end = dbSize(join(dir, DB_FILE));
result.dbBytesAfter = end.db;
result.walBytesAfter = end.wal;
const mem = memory();
result.rssEnd = mem.rss;
result.peakRss = mem.peak;
store.close();
result.totalMs = ms(now() - started);
log(
  `rss ${Math.round(mem.rss / MB)} MB, peak ${Math.round(mem.peak / MB)} MB, ${(result.totalMs / 1000).toFixed(1)} s`,
);
if (opt.out) writeFileSync(opt.out, JSON.stringify(result, null, 2));
else process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);

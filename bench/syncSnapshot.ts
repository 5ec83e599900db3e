/**
 * Benchmark: a gateway with an empty cache applies a snapshot of N members (issue 4: 1,000,000 in
 * ≤ 60 s) sent in parts through a real Mosquitto by a publisher process, while scans arrive at a
 * steady rate on the same event loop, as reader bytes would. A scan's latency counts from when it
 * was due (its card read) to its recorded decision, so time the loop spent blocked by the apply
 * shows up in it (target p99 ≤ 10 ms while the snapshot applies).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { loadDataFiles } from "../config/dataFile.js";
import { GatewayConfig } from "../config/gateway.js";
import { freePort, MosquittoBroker, mosquittoBinary } from "../firmware-sim/mosquitto.js";
import { scan } from "../gateway/decisions.js";
import { Checkpointer } from "../gateway/store/checkpointer.js";
import { DB_FILE, Store, syncState } from "../gateway/store/db.js";
import { importFiles } from "../gateway/store/importer.js";
import { SyncClient } from "../gateway/sync/client.js";
import { realScheduler } from "../runtime/scheduler.js";
import { primaryCard } from "./generate.js";
import { quiet, warnings } from "./logs.js";
import { Rng } from "./prng.js";
import { SCAN_AREAS, SITE, WEEK_START } from "./site.js";
import { dbSize, type Latency, MB, memory, summarise } from "./stats.js";

const here = dirname(fileURLToPath(import.meta.url));
/**
 * Scans in the first second are reported apart: the process has just connected, compiles its code
 * paths and applies the first part (one-off costs of any start, not of applying a snapshot).
 */
const WARMUP_MS = 1000;

/** What the snapshot phase measured. */
export interface SnapshotResult {
  members: number;
  parts: number;
  /** JSON bytes of all parts. */
  bytes: number;
  /** From the gateway's start (connect, hello) to the last part applied and the revision set. */
  applyMs: number;
  membersPerSecond: number;
  /** Scans decided while the snapshot applied: due → recorded. */
  scans: Latency;
  /** The same scans' own work (decide and commit), without the wait for the event loop. */
  scanWork: Latency;
  /** Scans in the first second (connect, first part, code warm-up: not counted above), and their max. */
  warmupScans: number;
  warmupMaxMs: number;
  /** The longest the event loop was blocked (ms), from monitorEventLoopDelay. */
  loopDelayMaxMs: number;
  loopDelayP99Ms: number;
  peakRssMB: number;
  databaseMB: number;
  generateMs: number;
  /** Parts validated on the main thread rather than on the worker (all of them with --main-thread). */
  partsOnMainThread: number;
}

/** Options of the snapshot phase. */
export interface SnapshotOptions {
  members: number;
  partSize: number;
  /**
   * Validate parts on the main thread, a slice at a time (the fallback of a failed worker), to
   * measure what the worker thread gains.
   */
  mainThread?: boolean;
  scansPerSecond: number;
  dir: string;
  seed: number;
  log: (line: string) => void;
}

/** A validation worker that cannot start: the client validates on the main thread, as after a crash. */
function noWorker(): never {
  throw new Error("the benchmark validates on the main thread (--main-thread)");
}

/** Starts a Mosquitto that queues a whole snapshot for one client (its default keeps 1000 messages). */
export async function benchBroker(): Promise<MosquittoBroker> {
  const binary = mosquittoBinary();
  if (binary === undefined)
    throw new Error("the sync benchmark needs mosquitto (apt-get install -y mosquitto)");
  const broker = new MosquittoBroker(binary, await freePort(), [
    "max_queued_messages 100000",
    "max_packet_size 268435455",
  ]);
  await broker.start();
  return broker;
}

/** Lines of a child's stdout, one promise per expected prefix. */
function lines(child: ChildProcess): (prefix: string) => Promise<string> {
  const seen: string[] = [];
  const waiting: { prefix: string; resolve: (l: string) => void }[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    const w = waiting.find((x) => line.startsWith(x.prefix));
    if (w) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve(line);
    } else seen.push(line);
  });
  return (prefix) => {
    const line = seen.find((l) => l.startsWith(prefix));
    if (line !== undefined) return Promise.resolve(line);
    return new Promise((resolve) => waiting.push({ prefix, resolve }));
  };
}

/** Runs the snapshot phase; the broker is the caller's. */
export async function runSnapshot(o: SnapshotOptions, broker: MosquittoBroker): Promise<SnapshotResult> {
  rmSync(o.dir, { recursive: true, force: true });
  const gatewayId = "gw-bench";
  const publisher = spawn(
    process.execPath,
    [
      join(here, "syncPublisher.js"),
      ...["--url", broker.url, "--gateway", gatewayId, "--members", String(o.members)],
      ...["--part", String(o.partSize), "--seed", String(o.seed)],
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  const next = lines(publisher);
  o.log(`snapshot: generating ${o.members.toLocaleString("en")} members in parts of ${o.partSize}…`);
  const ready = (await next("ready")).split(" ");
  const parts = Number(ready[1]);
  const bytes = Number(ready[2]);
  await next("listening");
  o.log(`snapshot: ${parts} parts, ${Math.round(bytes / MB)} MB of JSON; the gateway connects`);

  const store = Store.open(o.dir);
  importFiles(store, loadDataFiles([{ name: "bench-site.yaml", value: SITE }], null));
  // As in the daemon: WAL checkpoints on a worker thread, not inside a commit on the event loop.
  const checkpointer = new Checkpointer(store, join(o.dir, DB_FILE), warnings(o.log));
  checkpointer.start();
  const config = GatewayConfig.parse({
    gateway: { id: gatewayId, site: SITE.site.id },
    mqtt: { url: broker.url },
    sync: { enabled: true, maxMessageBytes: 268_435_455 },
  });
  const client = new SyncClient({
    store,
    config,
    gatewayId,
    version: "bench",
    clock: Date.now,
    scheduler: realScheduler,
    logger: quiet(),
    ...(o.mainThread ? { partCheckWorker: noWorker } : {}),
  });

  // Scans at a steady rate, each due at its own instant; a blocked loop makes them late.
  const interval = 1000 / o.scansPerSecond;
  const rng = new Rng(o.seed, 99);
  const areas = SCAN_AREAS.map(([a]) => a);
  const latencies = new Float64Array(Math.ceil((o.members / 1000) * o.scansPerSecond * 4) + 10_000);
  const work = new Float64Array(latencies.length);
  let n = 0;
  let warmup = 0;
  let warmupMax = 0;
  let t0 = performance.now();
  let running = true;
  let due = performance.now() + interval;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    const now = performance.now();
    while (running && due <= now) {
      const i = rng.int(0, o.members - 1);
      const area = areas[rng.int(0, areas.length - 1)] as string;
      const began = performance.now();
      const req = { card: primaryCard(i), area, direction: "in" as const, readerId: null };
      scan(store, req, WEEK_START + 3 * 86_400_000, gatewayId);
      const done = performance.now();
      if (done - t0 < WARMUP_MS) {
        warmup++;
        warmupMax = Math.max(warmupMax, done - due);
      } else if (n < latencies.length) {
        work[n] = (done - began) * 1e6;
        latencies[n++] = (done - due) * 1e6;
      }
      due += interval;
    }
    if (running) timer = setTimeout(tick, Math.max(0, due - performance.now()));
  };
  const loop = monitorEventLoopDelay({ resolution: 1 });

  t0 = performance.now();
  loop.enable();
  client.start();
  timer = setTimeout(tick, interval);
  let lastLog = t0;
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      const c = client.counters();
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        o.log(`snapshot: ${c.partsApplied}/${parts} parts after ${Math.round((lastLog - t0) / 1000)} s`);
      }
      if (c.syncsCompleted >= 1) {
        clearInterval(check);
        resolve();
      }
    }, 5);
  });
  const applyMs = performance.now() - t0;
  running = false;
  clearTimeout(timer);
  loop.disable();
  const rev = syncState(store).lastRev;
  const count = store.prepare("SELECT count(*) FROM members").pluck().get() as number;
  if (count !== o.members || rev !== 1)
    throw new Error(`snapshot: expected ${o.members} members at rev 1, found ${count} at rev ${rev}`);
  const partsOnMainThread = client.counters().partsCheckedOnMainThread;
  publisher.stdin?.end();
  await client.stop();
  await checkpointer.stop();
  store.close();
  const size = dbSize(join(o.dir, DB_FILE));
  return {
    members: o.members,
    parts,
    bytes,
    applyMs,
    membersPerSecond: o.members / (applyMs / 1000),
    scans: summarise(latencies, n),
    scanWork: summarise(work, n),
    warmupScans: warmup,
    warmupMaxMs: warmupMax,
    loopDelayMaxMs: loop.max / 1e6,
    loopDelayP99Ms: loop.percentile(99) / 1e6,
    peakRssMB: memory().peak / MB,
    databaseMB: (size.db + size.wal) / MB,
    generateMs: Number(ready[3]),
    partsOnMainThread,
  };
}

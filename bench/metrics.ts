/**
 * The /metrics figure (issue 10 §4): the scrape's round trip over HTTP, p99 ≤ 10 ms, while 16
 * readers scan at full load on the doors rig (bench/doors.ts: 16 doors on 4 LCUS boards over socat
 * ptys, the real lcus-serial driver and store). Each door scans again as soon as its pulse ended;
 * a scraper in its own process (metricsClient.ts, as Prometheus would be) asks on one keep-alive
 * connection, `--metrics-gap` ms apart (20 by default), and times each round trip.
 */
import { fork } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { HttpServer } from "../gateway/http/httpServer.js";
import { GatewayMetrics } from "../gateway/http/metrics.js";
import { DB_FILE } from "../gateway/store/db.js";
import { outboxDepth } from "../gateway/store/outbox.js";
import { type DoorsRig, withDoorsRig } from "./doors.js";
import { summariseMs } from "./e2eMatch.js";
import { cardOf } from "./e2eSetup.js";
import { quiet } from "./logs.js";
import type { ScrapeOrder, ScrapeReport } from "./metricsClient.js";
import type { Latency } from "./stats.js";
import { renderTargetMarkdown, renderTargetText, type TargetRow } from "./targetTable.js";

/** Issue 10's target: a scrape's p99 with 16 readers at full load. */
export const SCRAPE_P99_TARGET_MS = 10;

/** Members per door: cards are used in turn (an unlimited membership: every scan a grant). */
const POOL = 50;

/** What the metrics benchmark measured. */
export interface MetricsResult {
  readers: number;
  /** Scans decided while the scrapes ran, and per second. */
  scans: number;
  scansPerSecond: number;
  scrape: Latency;
  /** The exposition text made on the main thread, once a second (the server answers from the last one). */
  render: Latency;
  /** The gateway's event-loop delay during the scrapes (p50, p99 in ms): what a request waits for. */
  loopDelay: { p50: number; p99: number };
  /** The machine's 1-minute load average at the end and its cores: a busy machine slows every figure. */
  load: { average: number; cores: number };
  /** The size of one exposition text. */
  bytes: number;
  /** The pause between two scrapes (ms). */
  gapMs: number;
}

/** Scrapes `/metrics` `scrapes` times while every door scans as fast as its pulse allows. */
export async function runMetricsBench(
  dir: string,
  o: { scrapes: number; gapMs: number },
): Promise<MetricsResult> {
  const held: { rig?: DoorsRig } = {};
  const rig = () => held.rig as DoorsRig;
  const metrics = new GatewayMetrics({
    status: () => rig().gateway.status(),
    outboxDepth: () => outboxDepth(rig().store),
    storeFiles: () => ["", "-wal", "-shm"].map((s) => join(rig().data, `${DB_FILE}${s}`)),
    clock: Date.now,
  });
  return withDoorsRig(
    dir,
    POOL,
    async (r) => {
      held.rig = r;
      const renders: number[] = [];
      const timed = {
        contentType: metrics.contentType,
        scrape: async () => {
          const t0 = performance.now();
          const text = await metrics.scrape();
          renders.push(performance.now() - t0);
          return text;
        },
      };
      const server = new HttpServer({
        settings: { listen: "127.0.0.1:0" },
        file: "bench",
        metrics: timed,
        live: () => ({ code: 200, body: { status: "ok", problems: [] } }),
        ready: () => ({ code: 200, body: { status: "ok", problems: [] } }),
        logger: quiet(),
      });
      await server.start();
      try {
        const result = await measure(r, `http://127.0.0.1:${server.address()?.port}/metrics`, o);
        return { ...result, render: summariseMs(renders) };
      } finally {
        await server.stop();
      }
    },
    { observer: metrics },
  );
}

/** The load and the scrapes, until the last scrape; then the load stops. */
async function measure(
  rig: DoorsRig,
  url: string,
  o: { scrapes: number; gapMs: number },
): Promise<Omit<MetricsResult, "render">> {
  let running = true;
  let scans = 0;
  const loops = rig.layout.map(async (p, door) => {
    for (let k = 0; running; k++) {
      const on = rig.waitFrame((b, ch, v) => b === p.board && ch === p.channel && v);
      const off = rig.waitFrame((b, ch, v) => b === p.board && ch === p.channel && !v);
      rig.readers.get(`reader-${door}`)?.present(cardOf(door, k % POOL));
      await on;
      scans++;
      // Doors with a passage input (every other one): somebody passes, as in the doors figure.
      rig.inputs.set(`pass-${door}`, "active");
      rig.inputs.set(`pass-${door}`, "inactive");
      await off;
    }
  });
  await sleep(1000); // every door busy before the first scrape
  const from = performance.now();
  const scansBefore = scans;
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const { times, bytes } = await scrapeFromChild({ url, count: o.scrapes, gapMs: o.gapMs });
  delay.disable();
  const seconds = (performance.now() - from) / 1000;
  const during = scans - scansBefore;
  running = false;
  await Promise.all(loops);
  return {
    readers: rig.layout.length,
    scans: during,
    scansPerSecond: during / seconds,
    scrape: summariseMs(times),
    load: { average: loadavg()[0] ?? 0, cores: cpus().length },
    loopDelay: { p50: delay.percentile(50) / 1e6, p99: delay.percentile(99) / 1e6 },
    bytes,
    gapMs: o.gapMs,
  };
}

/** Runs the scraper (metricsClient.ts) in a child process; resolves with its report. */
function scrapeFromChild(order: ScrapeOrder): Promise<ScrapeReport> {
  const child = fork(join(dirname(fileURLToPath(import.meta.url)), "metricsClient.js"), [], {
    stdio: "inherit",
  });
  return new Promise((resolve, reject) => {
    child.once("message", (report: ScrapeReport) => resolve(report));
    child.once("exit", (code) => reject(new Error(`the scraper exited (${code}) without a report`)));
    child.send(order);
  });
}

/** The figures as rows against their targets. */
function rows(r: MetricsResult): TargetRow[] {
  const ms = (n: number) => `${n.toFixed(2)} ms`;
  return [
    {
      name: `/metrics scrape p99 (${r.readers} readers at full load)`,
      target: `≤ ${SCRAPE_P99_TARGET_MS} ms`,
      value: ms(r.scrape.p99),
      pass: r.scrape.p99 <= SCRAPE_P99_TARGET_MS,
    },
    {
      name: "/metrics scrape p50 / max",
      target: "—",
      value: `${ms(r.scrape.p50)} / ${ms(r.scrape.max)}`,
      pass: null,
    },
    {
      name: "text made on the main thread (once a second) p50 / p99",
      target: "—",
      value: `${ms(r.render.p50)} / ${ms(r.render.p99)}`,
      pass: null,
    },
    {
      name: "gateway event-loop delay p50 / p99",
      target: "—",
      value: `${ms(r.loopDelay.p50)} / ${ms(r.loopDelay.p99)}`,
      pass: null,
    },
    { name: "scrapes", target: "—", value: String(r.scrape.n), pass: null },
    {
      name: "machine load average (1 min) / cores",
      target: "—",
      value: `${r.load.average.toFixed(1)} / ${r.load.cores}`,
      pass: null,
    },
    {
      name: "scans during the scrapes",
      target: "—",
      value: `${r.scans} (${r.scansPerSecond.toFixed(0)}/s)`,
      pass: null,
    },
    { name: "exposition text", target: "—", value: `${(r.bytes / 1024).toFixed(1)} KiB`, pass: null },
  ];
}

/** The figures as text for the terminal. */
export function renderMetricsText(r: MetricsResult): string {
  return renderTargetText(rows(r));
}

/** The figures as markdown for docs/benchmarks.md. */
export function renderMetricsMarkdown(r: MetricsResult, date: string, command: string): string {
  return [
    `Measured ${date} with \`${command}\`: the doors rig (16 doors on 4 LCUS boards over socat ptys),`,
    "every door scanning again as soon as its pulse ended; each scrape's HTTP round trip timed by a",
    `scraper in its own process on one keep-alive connection, ${r.gapMs} ms apart.`,
    "",
    ...renderTargetMarkdown(rows(r)),
  ].join("\n");
}

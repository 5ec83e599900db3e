/**
 * The OSDP figures (issue 13, "Benchmarks"), in this process: 8 simulated PDs (firmware-sim's
 * osdp-bus) on a socat pty, the gateway's OsdpPort as control panel on its other end through the
 * real `serialport`, every PD with the secure channel. At each baud rate: (1) the poll cycle with
 * the bus kept busy (every PD polled once), against the wire time its bytes would take; the CP's
 * turnaround per exchange. (2) Card → RAW reply → CP event → OUT command → the PD's output on, on
 * the bus alone (the gateway's decision is not in it). A pty does not pace bytes at the baud rate:
 * what is measured is all time spent above the wire; the wire time is computed from the sizes of
 * the packets actually exchanged (osdpWire.ts).
 */
import { mkdirSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { OUTPUT_CONTROL } from "../drivers/osdp/codes.js";
import type { CpTimings } from "../drivers/osdp/cpTypes.js";
import { OsdpPort } from "../drivers/osdp/osdpPort.js";
import { openTransport } from "../drivers/transport/transport.js";
import { loadSimConfig } from "../firmware-sim/config.js";
import { Simulator } from "../firmware-sim/simulator.js";
import { realScheduler } from "../runtime/scheduler.js";
import { runSerialAtPace } from "./children.js";
import type { E2eResult } from "./e2eLatency.js";
import { summariseMs } from "./e2eMatch.js";
import { quiet } from "./logs.js";
import { OSDP_CARD_GAP_MS, type OsdpGatewayResult, runOsdpGateway } from "./osdpGateway.js";
import { bytesBetween, fetchingPoll, pollCycles, turnarounds, WireTap, wireMs } from "./osdpWire.js";
import { markdownTable } from "./report.js";
import type { LoadFigures, SerialLoadOptions } from "./serialLoad.js";
import type { Latency } from "./stats.js";

export { OSDP_CARD_GAP_MS };

/** The target: p99 time above the wire time from card to relay, as for the other readers. */
export const OSDP_OVERHEAD_P99_TARGET_MS = 5;
/** The PDs on the bus. */
export const OSDP_PDS = 8;
const KEY = "000102030405060708090a0b0c0d0e0f";

/** What one baud rate measured. */
export interface OsdpBaudResult {
  baud: number;
  /** Poll cycles on the pty (no wire time in them). */
  cycle: Latency;
  /** The wire time of each cycle's bytes at this baud. */
  cycleWire: Latency;
  /** Bytes in a cycle (p50), for the arithmetic's reader. */
  cycleBytes: number;
  /** The CP's turnaround: a reply's last byte read → its next packet written. */
  turnaround: Latency;
  /** The POLL that fetched the card → the PD's output on: all time above the wire. */
  cardToOutput: Latency;
  /** The wire time of the bytes exchanged on that path at this baud. */
  cardWire: Latency;
}

/** What the OSDP benchmark measured. */
export interface OsdpResult {
  pds: number;
  results: OsdpBaudResult[];
  /** Card → door's output through the whole gateway (osdpGateway.ts), per baud. */
  gateway: OsdpGatewayResult[];
  /**
   * The same gateway with serial-line readers and LCUS relays (the end-to-end benchmark, e2eMain.ts),
   * a card every OSDP_CARD_GAP_MS across its readers: "like the other readers" at this pace.
   */
  serial?: { latency: Latency; scans: number; lost: number };
  /** The 1-minute load average before and after: other work on the machine shows in the tails. */
  load: [number, number];
}

/** How big a run is. */
export interface OsdpBenchOptions {
  bauds: number[];
  /** Poll cycles to time at each baud. */
  cycles: number;
  /** Cards to present at each baud, on the bus alone. */
  cards: number;
  /** Cards to present at each baud through the gateway (0: not measured). */
  gatewayCards: number;
  /** The compiled e2eGateway.js: the gateway's own process. */
  gatewayScript: string;
  /** Runs the serial-line readers at the same pace (a child process), when gatewayCards > 0; none: not measured. */
  serialAtSamePace?: () => E2eResult;
  /**
   * The other readers' load, for a second through-the-gateway run at each baud with it in the
   * same gateway (OTHER_READERS_LOAD: the end-to-end benchmark's); none: only the quiet run.
   */
  load?: SerialLoadOptions;
}

/**
 * The load under which the other readers' target is set (issue 3, the end-to-end benchmark): 16
 * serial-line readers at 9600 baud, a card at each every 100 ms (160 a second), their doors on 4
 * LCUS boards.
 */
export const OTHER_READERS_LOAD: SerialLoadOptions = {
  readers: 16,
  boards: 4,
  intervalMs: 100,
  baudRate: 9600,
  warmupSeconds: 2,
  timeoutMs: 2000,
};

/** The simulator's configuration: `pds` PDs with one output each and the same SCBK, on a pty at `path`. */
function simYaml(path: string, pds: number): string {
  const lines = Array.from(
    { length: pds },
    (_, i) => `      - { address: ${i + 1}, scbk: ${KEY}, outputs: 1, display: false, keypad: false }`,
  );
  return `devices:\n  - id: bus\n    kind: osdp-bus\n    expose: { pty: ${path} }\n    pds:\n${lines.join("\n")}\n`;
}

/** Starts a CP on `path` at `baud` and resolves once every PD is online with the channel established. */
async function startPort(path: string, baud: number, tap: WireTap, timings: Partial<CpTimings>) {
  const key = Uint8Array.from(Buffer.from(KEY, "hex"));
  const port = new OsdpPort({
    target: path,
    baudRate: baud,
    pds: Array.from({ length: OSDP_PDS }, (_, i) => ({
      address: i + 1,
      secureChannel: "required" as const,
      scbk: key,
    })),
    factory: tap.factory(openTransport),
    logger: quiet(),
    scheduler: realScheduler,
    now: Date.now,
    random: (n) => crypto.getRandomValues(new Uint8Array(n)),
    timings,
  });
  port.start();
  const deadline = performance.now() + 15_000;
  while (!port.bus.status().every((s) => s.online && s.secureChannel === "established")) {
    if (performance.now() > deadline) {
      await port.stop();
      throw new Error(`the ${OSDP_PDS} simulated PDs did not all come up secured within 15 s`);
    }
    await sleep(20);
  }
  return port;
}

/** Times `count` poll cycles on a busy bus (no poll interval: the next PD as soon as the line is free). */
async function measureCycles(path: string, baud: number, count: number) {
  const tap = new WireTap();
  const port = await startPort(path, baud, tap, { pollIntervalMs: 0 });
  try {
    tap.clear();
    while (pollCycles(tap.log, 1, OSDP_PDS).length < count) await sleep(20);
    const cycles = pollCycles(tap.log, 1, OSDP_PDS).slice(0, count);
    const bytes = cycles.map((c) => c.bytes).sort((a, b) => a - b);
    return {
      cycle: summariseMs(cycles.map((c) => c.ms)),
      cycleWire: summariseMs(cycles.map((c) => wireMs(c.bytes, baud))),
      cycleBytes: bytes[Math.floor(bytes.length / 2)] ?? 0,
      turnaround: summariseMs(turnarounds(tap.log)),
    };
  } finally {
    await port.stop();
  }
}

/** Presents `count` cards in turn at the PDs; the CP pulses the PD's output 0 at each card event. */
async function measureCards(path: string, baud: number, count: number, sim: Simulator) {
  const tap = new WireTap();
  const port = await startPort(path, baud, tap, {});
  const waiting = new Map<number, (at: number) => void>();
  const offs = Array.from({ length: OSDP_PDS }, (_, i) =>
    sim.pd("bus", i + 1).panel.outputs.on("change", (c) => {
      if (c.on) waiting.get(i + 1)?.(performance.now());
    }),
  );
  port.bus.on("card", (e) => {
    const pulse = { output: 0, control: OUTPUT_CONTROL.TEMPORARY_ON, timerTenths: 2 };
    port.bus.send(e.address, { kind: "out", outputs: [pulse] }).catch(() => undefined);
  });
  const overhead: number[] = [];
  const wire: number[] = [];
  try {
    tap.clear();
    for (let n = 0; n < count; n++) {
      const address = (n % OSDP_PDS) + 1;
      const on = new Promise<number>((resolve) => waiting.set(address, resolve));
      const presented = performance.now();
      sim.pd("bus", address).present(`12:${1000 + n}`);
      const at = await on;
      const poll = fetchingPoll(tap.log, address, presented);
      if (poll === undefined)
        throw new Error(`no RAW reply from PD ${address} seen before its output went on`);
      // A POLL already on its way when the card came: the path starts at the card.
      overhead.push(at - Math.max(poll.at, presented));
      wire.push(wireMs(bytesBetween(tap.log, poll.at, at), baud));
      // A gap that drifts against the 50 ms poll interval: cards land at every phase of it.
      await sleep(5 + ((n * 7) % 23));
    }
    return { cardToOutput: summariseMs(overhead), cardWire: summariseMs(wire) };
  } finally {
    for (const off of offs) off();
    await port.stop();
  }
}

/** Runs the OSDP figures in `dir` (its pty lives there; removed after). */
export async function runOsdpBench(dir: string, options: OsdpBenchOptions): Promise<OsdpResult> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, "osdp-bus");
  const sim = new Simulator({ config: loadSimConfig("sim.yaml", simYaml(path, OSDP_PDS)) });
  await sim.start();
  const results: OsdpBaudResult[] = [];
  const before = loadavg()[0] ?? 0;
  try {
    for (const baud of options.bauds) {
      const cycles = await measureCycles(path, baud, options.cycles);
      const cards = await measureCards(path, baud, options.cards, sim);
      results.push({ baud, ...cycles, ...cards });
    }
  } finally {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const gateway: OsdpGatewayResult[] = [];
  if (options.gatewayCards > 0)
    for (const baud of options.bauds)
      for (const load of options.load ? [undefined, options.load] : [undefined])
        gateway.push(
          await runOsdpGateway(join(dir, `gateway-${baud}`), {
            baud,
            pds: OSDP_PDS,
            cards: options.gatewayCards,
            gatewayScript: options.gatewayScript,
            ...(load ? { load } : {}),
          }),
        );
  rmSync(dir, { recursive: true, force: true });
  // Only beside a through-the-gateway figure to compare it with.
  const e2e = options.gatewayCards > 0 ? options.serialAtSamePace?.() : undefined;
  const serial = e2e && { latency: e2e.latency, scans: e2e.measuredScans, lost: e2e.lost };
  return {
    pds: OSDP_PDS,
    results,
    gateway,
    ...(serial ? { serial } : {}),
    load: [before, loadavg()[0] ?? 0],
  };
}

/** The figures as `npm run bench` takes them (run.ts's options), the compiled scripts beside this one in `here`. */
export function runOsdpFigures(
  cacheDir: string,
  here: string,
  o: { cycles: number; cards: number; gatewayCards: number; serialSeconds: string; quietOnly: boolean },
): Promise<OsdpResult> {
  return runOsdpBench(join(cacheDir, "osdp"), {
    bauds: [9600, 115_200],
    cycles: o.cycles,
    cards: o.cards,
    gatewayCards: o.gatewayCards,
    gatewayScript: join(here, "e2eGateway.js"),
    // The same gateway with serial-line readers, its cards as far apart as the OSDP cards (0 s: not run).
    ...(Number(o.serialSeconds) > 0
      ? {
          serialAtSamePace: () =>
            runSerialAtPace(here, cacheDir, {
              readers: OSDP_PDS,
              gapMs: OSDP_CARD_GAP_MS,
              seconds: o.serialSeconds,
            }),
        }
      : {}),
    // And again with the other readers' benchmark load in the same gateway: their target's terms.
    ...(o.quietOnly ? {} : { load: OTHER_READERS_LOAD }),
  });
}

const ms = (v: number) => v.toFixed(2);

/** The table rows: per baud, the cycle, its wire time, the CP's turnaround, card → output and its wire time. */
function rows(r: OsdpResult): string[][] {
  const row = (baud: number, what: string, l: Latency, target: string) => [
    String(baud),
    what,
    target,
    String(l.n),
    ms(l.p50),
    ms(l.p99),
    ms(l.max),
  ];
  return r.results
    .flatMap((b) => [
      row(b.baud, `poll cycle, ${r.pds} PDs, above the wire`, b.cycle, "—"),
      row(b.baud, `poll cycle's wire time (${b.cycleBytes} bytes)`, b.cycleWire, "computed"),
      row(b.baud, "CP turnaround per exchange", b.turnaround, "—"),
      row(
        b.baud,
        "POLL → PD output on, above the wire",
        b.cardToOutput,
        `p99 ≤ ${OSDP_OVERHEAD_P99_TARGET_MS} ms`,
      ),
      row(b.baud, "that path's wire time", b.cardWire, "computed"),
      ...r.gateway
        .filter((g) => g.baud === b.baud)
        .flatMap((g) => [
          row(
            g.baud,
            g.load
              ? `the same under the other readers' load: ${loadText(g.load)}`
              : "POLL → door's output on through the gateway, above the wire, quiet machine",
            g.cardToRelay,
            g.load ? `p99 ≤ ${OSDP_OVERHEAD_P99_TARGET_MS} ms` : "—",
          ),
          row(g.baud, "of which RAW reply → OUT, in the gateway", g.gatewayShare, "—"),
          row(
            g.baud,
            `that path's wire time (${g.granted} grants recorded, ${g.lost} lost)`,
            g.wire,
            "computed",
          ),
          ...(g.load
            ? [
                row(
                  g.baud,
                  `meanwhile the load's card line → relay frame (${OTHER_READERS_LOAD.baudRate} baud)`,
                  g.load.latency,
                  `p99 ≤ ${OSDP_OVERHEAD_P99_TARGET_MS} ms`,
                ),
              ]
            : []),
        ]),
    ])
    .concat(
      r.serial === undefined
        ? []
        : [
            [
              "9600",
              `serial-line readers, a card every ${OSDP_CARD_GAP_MS} ms (${r.serial.scans} scans, ${r.serial.lost} lost): card line → relay frame`,
              `p99 ≤ ${OSDP_OVERHEAD_P99_TARGET_MS} ms`,
              String(r.serial.latency.n),
              ms(r.serial.latency.p50),
              ms(r.serial.latency.p99),
              ms(r.serial.latency.max),
            ],
          ],
    );
}

/** What the load was and whether it kept up: its readers, scans a second, lost and duplicated. */
function loadText(l: LoadFigures): string {
  return (
    `${l.readers} serial-line readers, a card each every ${l.intervalMs} ms ` +
    `(${l.scansPerSecond.toFixed(0)}/s, ${l.lost} lost, ${l.duplicated} duplicated)`
  );
}

const HEAD = ["baud", "what", "target", "n", "p50 (ms)", "p99 (ms)", "max (ms)"];

/** The figures as the docs' generated block. */
export function renderOsdpMarkdown(r: OsdpResult, date: string, command: string): string {
  return [
    `Measured ${date} with \`${command}\`: ${r.pds} simulated PDs (firmware-sim osdp-bus) on a socat pty,`,
    "the gateway's OsdpPort as control panel through the real `serialport`, secure channel on every PD.",
    "Card → PD output on the bus alone (the card event pulses the PD's output 0 with OUT), and through",
    "the whole gateway in its own process (osdp readers, the decision, an osdp-output relay per door):",
    "on a quiet machine, and under the other readers' benchmark load in the same gateway.",
    `Load average (1 min) ${r.load[0].toFixed(2)} before, ${r.load[1].toFixed(2)} after.`,
    "",
    ...markdownTable(HEAD, rows(r), 3),
  ].join("\n");
}

/** The figures as text for the terminal. */
export function renderOsdpText(r: OsdpResult): string {
  return rows(r)
    .map(
      ([baud, what, , n, p50, p99, max]) =>
        `${(baud ?? "").padStart(6)}  ${(what ?? "").padEnd(48)} n ${(n ?? "").padStart(5)}  p50 ${(p50 ?? "").padStart(7)}  p99 ${(p99 ?? "").padStart(7)}  max ${(max ?? "").padStart(7)} ms`,
    )
    .join("\n");
}

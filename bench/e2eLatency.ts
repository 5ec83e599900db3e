/**
 * The end-to-end latency benchmark's load generator. It makes socat pty pairs for the readers and
 * the LCUS boards, starts the gateway in its own process (e2eGateway.ts: the production start path),
 * writes a card line at each reader every `intervalMs` (staggered), reads the relay frames, and
 * matches each relay ON frame to its scan. Both timestamps come from this process's
 * performance.now(): just after the write of the scan line returned, and when the chunk holding the
 * ON frame's first byte was read. Afterwards the gateway's database is cross-checked.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { LCUS_FRAME_LENGTH } from "../drivers/codecs/lcus.js";
import { Store } from "../gateway/store/db.js";
import { listEvents } from "../gateway/store/events.js";
import { matchScans, summariseMs, wireTimeMs, worstPerSecond } from "./e2eMatch.js";
import { cpuMs, measureFsync, measureHop } from "./e2eProbes.js";
import { cardOf, createBenchData, gatewayConfigDocument, scanLine } from "./e2eSetup.js";
import { type PtyPair, startPtyPair } from "./ptyPair.js";
import { generateLoad, listenToBoards, poolSize } from "./serialLoad.js";
import type { Latency } from "./stats.js";

/** How one run is shaped. */
export interface E2eOptions {
  readers: number;
  boards: number;
  /** Measured seconds (after the warm-up). */
  seconds: number;
  warmupSeconds: number;
  /** Time between two cards at one reader. */
  intervalMs: number;
  pulseMs: number;
  baudRate: number;
  /** A scan with no relay ON frame this long after it is lost. */
  timeoutMs: number;
  /** The gateway's log level (info is what a site runs). */
  logLevel: string;
  /** The compiled e2eGateway.js, or e2eEcho.js for the control run. */
  gatewayScript: string;
  /** "echo" for the control (e2eEcho.js): it keeps no database, so there is nothing to cross-check. */
  kind?: "gateway" | "echo";
  /** Where the temporary folder (and so the gateway's database) goes; os.tmpdir() by default. */
  tmpBase?: string;
  /** Keep the temporary folder (data, config, gateway log). */
  keep?: boolean;
  progress?: (text: string) => void;
}

/** What one run measured. */
export interface E2eResult {
  readers: number;
  boards: number;
  channelsPerBoard: number;
  seconds: number;
  warmupSeconds: number;
  intervalMs: number;
  pulseMs: number;
  baudRate: number;
  timeoutMs: number;
  scanLineBytes: number;
  relayFrameBytes: number;
  /** (scan line + relay frame bytes) × 10 bits ÷ baud, in ms: computed, ptys have no wire time. */
  floorMs: number;
  scansSent: number;
  measuredScans: number;
  scansPerSecond: number;
  onFrames: number;
  /** OFF frames ending a pulse (one per ON). */
  offFrames: number;
  /** OFF frames with no pulse to end: the gateway putting its door channels at rest when a board's port opens. */
  restingFrames: number;
  /** Frames on a channel that is no reader's door, and bytes that were not LCUS frames. */
  strayFrames: number;
  discardedBytes: number;
  matched: number;
  lost: number;
  duplicated: number;
  /** Scan line written → relay ON frame read, on ptys (no wire time), measured scans only. */
  latency: Latency;
  /** One pty hop through socat alone (write at one end → read at the other), before the run. */
  hop: Latency;
  /** fdatasync of a 4 kB write in the gateway's data folder, alone, before the run (synchronous=FULL pays one or more per decision). */
  fsync: Latency;
  /** The gateway process's CPU time (user + system) per scan while the load ran, ms; null off Linux. */
  cpuPerScanMs: number | null;
  /** The worst latency of each measured second (ms). */
  worstPerSecond: number[];
  /** How late the load generator's timer wrote the scans (ms). */
  slip: Latency;
  /** What the gateway's database recorded; null for the control. */
  db: {
    events: number;
    grants: number;
    denies: number;
    relayFailed: number;
    cardsMissing: number;
    cardsExtra: number;
  } | null;
  /** 1-minute load average of the machine before and after the run (other work skews the figures). */
  load: [number, number];
  gatewayExit: number | null;
  /** The folder the run worked in (its database's disk is the one that was measured). */
  dir: string;
  /** Where the data folder, config and gateway log were left (with `keep`). */
  keptIn?: string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs the benchmark once; cleans up ptys, the gateway and the temporary folder whatever happens. */
export async function runE2e(o: E2eOptions): Promise<E2eResult> {
  const say = o.progress ?? (() => {});
  const loadBefore = loadavg()[0] ?? 0;
  const dir = mkdtempSync(join(o.tmpBase ?? tmpdir(), "accessgw-bench-e2e-"));
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    const totalScans = Math.ceil(((o.seconds + o.warmupSeconds) * 1000) / o.intervalMs);
    const pool = poolSize(totalScans);
    createBenchData(join(dir, "data"), o.readers, pool);
    say(`${o.readers * pool} members imported; starting ${o.readers + o.boards + 1} socat pty pairs`);
    const pairs = await Promise.all(Array.from({ length: o.readers + o.boards + 1 }, () => startPtyPair()));
    cleanups.push(() => Promise.all(pairs.map((p) => p.stop())).then(() => undefined));
    const readerPairs = pairs.slice(0, o.readers);
    const boardPairs = pairs.slice(o.readers, o.readers + o.boards);
    const hopPair = pairs[pairs.length - 1] as PtyPair;

    const hop = await measureHop(hopPair, 200, cleanups);
    const fsync = measureFsync(dir, 200);
    say(
      `alone: one pty hop p50 ${hop.p50.toFixed(3)} / p99 ${hop.p99.toFixed(3)} ms, ` +
        `fdatasync p50 ${fsync.p50.toFixed(3)} / p99 ${fsync.p99.toFixed(3)} ms`,
    );

    const config = join(dir, "gateway.yaml");
    const doc = gatewayConfigDocument(
      { readers: readerPairs.map((p) => p.gatewaySide), boards: boardPairs.map((p) => p.gatewaySide) },
      o.baudRate,
      o.logLevel,
    );
    writeFileSync(config, `${JSON.stringify(doc, null, 2)}\n`);

    const relays = listenToBoards(boardPairs, o.readers, cleanups);
    const readerFds = readerPairs.map((p) => openSync(p.benchSide, constants.O_RDWR | constants.O_NOCTTY));
    cleanups.push(() => {
      for (const fd of readerFds) closeSync(fd);
    });

    const logFile = join(dir, "gateway.log");
    const gateway = await startGateway(o, config, logFile);
    cleanups.push(() => stopGateway(gateway).then(() => undefined));
    say(`gateway started (pid ${gateway.pid}); ${o.warmupSeconds} s warm-up, then ${o.seconds} s measured`);

    const cpuBefore = cpuMs(gateway.pid);
    const load = await generateLoad(o, readerFds, pool);
    const cpuAfter = cpuMs(gateway.pid);
    await sleep(o.timeoutMs + o.pulseMs);
    const gatewayExit = await stopGateway(gateway);
    const db = o.kind === "echo" ? null : crossCheck(join(dir, "data"), load.sentCards);

    const match = matchScans(load.scans, relays.pulses, o.timeoutMs);
    const worst = worstPerSecond(match.latencies, match.writtenAt, match.writtenAt[0] ?? 0);
    say(`worst latency of each measured second (ms): ${worst.map((v) => v.toFixed(1)).join(" ")}`);
    const lineBytes = scanLine(cardOf(0, 0)).length;
    const measuredScans = load.scans.filter((s) => s.measured).length;
    return {
      readers: o.readers,
      boards: o.boards,
      channelsPerBoard: Math.ceil(o.readers / o.boards),
      seconds: o.seconds,
      warmupSeconds: o.warmupSeconds,
      intervalMs: o.intervalMs,
      pulseMs: o.pulseMs,
      baudRate: o.baudRate,
      timeoutMs: o.timeoutMs,
      scanLineBytes: lineBytes,
      relayFrameBytes: LCUS_FRAME_LENGTH,
      floorMs: wireTimeMs(lineBytes + LCUS_FRAME_LENGTH, o.baudRate),
      scansSent: load.scans.length,
      measuredScans,
      scansPerSecond: measuredScans / load.measuredSeconds,
      onFrames: relays.pulses.length,
      offFrames: relays.offFrames(),
      restingFrames: relays.restingFrames(),
      strayFrames: relays.stray(),
      discardedBytes: relays.discarded(),
      matched: match.matched,
      lost: match.lost,
      duplicated: match.duplicated,
      latency: summariseMs(match.latencies),
      hop,
      fsync,
      slip: summariseMs(load.slips),
      worstPerSecond: worst,
      cpuPerScanMs:
        cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / load.scans.length,
      db,
      load: [loadBefore, loadavg()[0] ?? 0],
      gatewayExit,
      dir,
      ...(o.keep ? { keptIn: dir } : {}),
    };
  } finally {
    for (const c of cleanups.reverse()) await c();
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts the gateway process; resolves once every reader's port is open. */
async function startGateway(o: E2eOptions, config: string, logFile: string): Promise<ChildProcess> {
  const logFd = openSync(logFile, "w");
  const child = spawn(
    process.execPath,
    [o.gatewayScript, "--config", config, "--pulse-ms", String(o.pulseMs)],
    {
      stdio: ["ignore", "ignore", logFd],
    },
  );
  closeSync(logFd);
  const deadline = performance.now() + 15_000;
  for (;;) {
    const log = readFileSync(logFile, "utf8");
    const open = log
      .split("\n")
      .filter((l) => l.includes('"component":"reader"') && l.includes('"msg":"link open"'));
    if (open.length >= o.readers) break;
    if (child.exitCode !== null || performance.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(
        `the gateway did not open its ${o.readers} readers; its log ends:\n${log.slice(-2000)}`,
      );
    }
    await sleep(50);
  }
  // The relays open alongside the readers; leave them a moment before the first grant.
  await sleep(300);
  return child;
}

/** SIGTERM, then the exit code (SIGKILL after 10 s). */
async function stopGateway(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

/** Counts the decisions the gateway recorded and compares the granted cards with the cards sent. */
function crossCheck(dataDir: string, sentCards: string[][]): E2eResult["db"] {
  const store = Store.open(dataDir);
  try {
    const events = listEvents(store);
    const owed = new Map<string, number>();
    sentCards.forEach((cards, r) => {
      for (const c of cards) owed.set(`reader-${r + 1} ${c}`, (owed.get(`reader-${r + 1} ${c}`) ?? 0) + 1);
    });
    let cardsExtra = 0;
    for (const e of events) {
      if (e.decision !== "grant") continue;
      const key = `${e.readerId} ${e.card}`;
      const left = owed.get(key) ?? 0;
      if (left > 0) owed.set(key, left - 1);
      else cardsExtra++;
    }
    let cardsMissing = 0;
    for (const left of owed.values()) cardsMissing += left;
    return {
      events: events.length,
      grants: events.filter((e) => e.decision === "grant").length,
      denies: events.filter((e) => e.decision === "deny").length,
      relayFailed: events.filter((e) => e.relayFailed).length,
      cardsMissing,
      cardsExtra,
    };
  } finally {
    store.close();
  }
}

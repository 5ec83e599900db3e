/**
 * The other readers' load, as the end-to-end benchmark makes it (issue 3): serial-line readers on
 * socat ptys, each writing a card line every `intervalMs` (staggered across the readers), their
 * doors on LCUS boards whose relay frames are read back and matched to the scans. The end-to-end
 * benchmark (e2eLatency.ts) measures these readers; the OSDP benchmark (osdpGateway.ts) runs the
 * same load in its gateway beside the OSDP readers, so both reader types are timed under it.
 */
import { closeSync, constants, openSync, writeSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { matchScans, type ReaderPulse, type SentScan, summariseMs, TimedLcusSplitter } from "./e2eMatch.js";
import { readEnd } from "./e2eProbes.js";
import { cardOf, doorLayout, gatewayConfigDocument, scanLine } from "./e2eSetup.js";
import { type PtyPair, startPtyPair } from "./ptyPair.js";
import type { Latency } from "./stats.js";

/** When and where the cards come. */
export interface LoadShape {
  readers: number;
  /** Time between two cards at one reader. */
  intervalMs: number;
  /** Scans before the measured ones (counted for lost and duplicated, not timed). */
  warmupSeconds: number;
  /** Measured seconds; Infinity: until `stopped` says so. */
  seconds: number;
}

/** Reads every board's relay frames; ON frames become pulses of the reader whose door it is. */
export function listenToBoards(boards: PtyPair[], readers: number, cleanups: (() => void)[]) {
  const layout = doorLayout(readers, boards.length);
  const pulses: ReaderPulse[] = [];
  const splitters = boards.map(() => new TimedLcusSplitter());
  let off = 0;
  let resting = 0;
  let stray = 0;
  // Readers whose door channel is ON: the next OFF there ends a pulse; any other OFF is a resting frame.
  const on = new Set<number>();
  boards.forEach((pair, b) => {
    readEnd(pair.benchSide, cleanups, (chunk, at) => {
      for (const frame of (splitters[b] as TimedLcusSplitter).push(chunk, at)) {
        const reader = layout.findIndex((d) => d.board === b && d.channel === frame.channel);
        if (reader < 0) stray++;
        else if (frame.on) {
          pulses.push({ reader, at: frame.at });
          on.add(reader);
        } else if (on.delete(reader)) off++;
        else resting++;
      }
    });
  });
  return {
    pulses,
    offFrames: () => off,
    restingFrames: () => resting,
    stray: () => stray,
    discarded: () => splitters.reduce((n, s) => n + s.discarded, 0),
  };
}

/**
 * Writes the scans on schedule: reader r's k-th card (cardOf(r, k mod pool)) at
 * T0 + (k × readers + r) × interval ÷ readers, until the shape's seconds are over or `stopped()`.
 */
export async function generateLoad(o: LoadShape, fds: number[], pool: number, stopped = () => false) {
  const step = o.intervalMs / o.readers;
  const warmup = Math.round((o.warmupSeconds * 1000) / step);
  const total = warmup + Math.round((o.seconds * 1000) / step);
  const scans: SentScan[] = [];
  const slips: number[] = [];
  const sentCards: string[][] = fds.map(() => []);
  const t0 = performance.now() + 20;
  let j = 0;
  let measuredFrom = t0;
  while (j < total && !stopped()) {
    const wait = t0 + j * step - performance.now();
    if (wait > 0) await sleep(wait);
    // Catch up on everything due (a late timer sends several scans in one go, each timed itself).
    while (j < total && t0 + j * step <= performance.now()) {
      const reader = j % o.readers;
      const k = Math.floor(j / o.readers);
      const card = cardOf(reader, k % pool);
      writeSync(fds[reader] as number, scanLine(card));
      const at = performance.now();
      if (j === warmup) measuredFrom = at;
      scans.push({ reader, at, measured: j >= warmup });
      slips.push(at - (t0 + j * step));
      (sentCards[reader] as string[]).push(card);
      j++;
    }
  }
  return { scans, slips, sentCards, measuredSeconds: (performance.now() - measuredFrom) / 1000 };
}

/** Distinct members per reader: a card comes back no sooner than pool × interval later (R17: 2 s). */
export function poolSize(totalScansPerReader: number): number {
  return Math.max(30, Math.min(300, totalScansPerReader));
}

/** What the load did while it ran beside something else. */
export interface LoadFigures {
  readers: number;
  intervalMs: number;
  /** Measured scans a second, across the readers. */
  scansPerSecond: number;
  /** Card line written → relay ON frame read, measured scans. */
  latency: Latency;
  lost: number;
  duplicated: number;
}

/** The load's shape beside another benchmark, and the gateway's configuration for it. */
export interface SerialLoadOptions {
  readers: number;
  boards: number;
  intervalMs: number;
  baudRate: number;
  /** Scans that are sent but not timed, at the start. */
  warmupSeconds: number;
  /** A scan with no relay ON frame this long after it is lost. */
  timeoutMs: number;
}

/** The load beside another benchmark: its ptys, members and configuration, started and stopped by it. */
export interface SerialLoad {
  /** The cards of its members (import them with the benchmark's own). */
  readonly cards: string[];
  /** Its readers, doors and relays, to add to the gateway's configuration. */
  readonly config: { readers: unknown[]; doors: unknown[]; relays: unknown[] };
  /** Starts writing cards; `stop` ends the load and resolves with its figures once its pulses are in. */
  start(): { stop(): Promise<LoadFigures> };
  /** Closes its ptys. */
  close(): Promise<void>;
}

/**
 * Makes the load's pty pairs and configuration. Its members hold cardOf(r, k) (8 digits), its
 * readers are `reader-N` with doors `door-N` on `board-B` (gatewayConfigDocument's names).
 */
export async function prepareSerialLoad(o: SerialLoadOptions, expectedSeconds: number): Promise<SerialLoad> {
  const pool = poolSize(Math.ceil(((expectedSeconds + o.warmupSeconds) * 1000) / o.intervalMs));
  const cards = Array.from({ length: o.readers * pool }, (_, i) => cardOf(Math.floor(i / pool), i % pool));
  const pairs = await Promise.all(Array.from({ length: o.readers + o.boards }, () => startPtyPair()));
  const cleanups: (() => void)[] = [];
  const readerPairs = pairs.slice(0, o.readers);
  const boardPairs = pairs.slice(o.readers);
  const doc = gatewayConfigDocument(
    { readers: readerPairs.map((p) => p.gatewaySide), boards: boardPairs.map((p) => p.gatewaySide) },
    o.baudRate,
    "info",
  ) as { readers: unknown[]; doors: unknown[]; relays: unknown[] };
  const relays = listenToBoards(boardPairs, o.readers, cleanups);
  const fds = readerPairs.map((p) => openSync(p.benchSide, constants.O_RDWR | constants.O_NOCTTY));
  return {
    cards,
    config: { readers: doc.readers, doors: doc.doors, relays: doc.relays },
    start() {
      let stopped = false;
      const shape = {
        readers: o.readers,
        intervalMs: o.intervalMs,
        warmupSeconds: o.warmupSeconds,
        seconds: Infinity,
      };
      const running = generateLoad(shape, fds, pool, () => stopped);
      return {
        async stop() {
          stopped = true;
          const load = await running;
          await sleep(o.timeoutMs);
          const match = matchScans(load.scans, relays.pulses, o.timeoutMs);
          return {
            readers: o.readers,
            intervalMs: o.intervalMs,
            scansPerSecond: load.scans.filter((s) => s.measured).length / load.measuredSeconds,
            latency: summariseMs(match.latencies),
            lost: match.lost,
            duplicated: match.duplicated,
          };
        },
      };
    },
    async close() {
      for (const c of cleanups) c();
      for (const fd of fds) closeSync(fd);
      await Promise.all(pairs.map((p) => p.stop()));
    },
  };
}

/**
 * The OSDP card-to-relay figure through the whole gateway (issue 13, "Benchmarks"): the gateway in
 * its own process (e2eGateway.ts, the production start path) with 8 `osdp` readers on one bus and an
 * `osdp-output` relay per door on each PD's output 0; the simulator's 8 PDs (firmware-sim's
 * SimOsdpBus and OsdpPd, secure channel on every one) on a socat pty in this process. Their end of
 * the line is read with libuv's tty handle and written with writeSync, as the end-to-end
 * benchmark's load generator does (e2eProbes.ts): `serialport` reads and writes through the libuv
 * thread pool, which would add its own delay at this end and count it against the gateway. The
 * gateway's end is the production `serialport`. A card is presented at a PD; the
 * clock runs from the POLL that fetched it (or from the card, when that POLL was on its way) to the
 * PD's output going on: RAW reply → the reader driver → the decision and its commit → the door's
 * pulse → OUT → the output on, with the grant's LED and beep on the same bus. The packets are
 * logged at the PDs' end of the line, so the wire time of what was exchanged can be computed.
 * With `load`, the other readers' benchmark load (serialLoad.ts) runs in the same gateway from the
 * end of the warm-up to the last card, and what it measured comes back beside the OSDP figures.
 */
import { type ChildProcess, spawn } from "node:child_process";
import {
  closeSync,
  constants,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { ReadStream } from "node:tty";
import { CMD, REPLY } from "../drivers/osdp/codes.js";
import type { DeviceContext } from "../firmware-sim/deviceKinds.js";
import { SimOsdpBus } from "../firmware-sim/devices/osdpBus.js";
import type { DeviceLink } from "../firmware-sim/devices/serialDeviceServer.js";
import { OsdpPdSpec } from "../firmware-sim/osdpConfig.js";
import { buildPd } from "../firmware-sim/osdpKind.js";
import { Store } from "../gateway/store/db.js";
import { listEvents } from "../gateway/store/events.js";
import { realScheduler } from "../runtime/scheduler.js";
import { summariseMs } from "./e2eMatch.js";
import { createBenchData } from "./e2eSetup.js";
import { bytesBetween, fetchingPoll, type WireRecord, WireTap, wireMs } from "./osdpWire.js";
import { type PtyPair, startPtyPair } from "./ptyPair.js";
import {
  type LoadFigures,
  prepareSerialLoad,
  type SerialLoad,
  type SerialLoadOptions,
} from "./serialLoad.js";
import type { Latency } from "./stats.js";

/** What one baud rate measured through the gateway. */
export interface OsdpGatewayResult {
  baud: number;
  /** The POLL that fetched the card → the door's output on at the PD: all time above the wire. */
  cardToRelay: Latency;
  /** The wire time of the bytes exchanged on that path at this baud. */
  wire: Latency;
  /**
   * Of that, the gateway's share as the PDs' end of the line sees it: the RAW reply written → the
   * OUT received (two hops through socat, the reader driver, the decision and its commit, the door's
   * pulse, and any exchange the bus was in when the OUT was queued).
   */
  gatewayShare: Latency;
  /** Cards whose output did not come on within 5 s. */
  lost: number;
  /** Grants the gateway recorded for the measured cards (cross-checked in its database afterwards). */
  granted: number;
  /** The other readers' load that ran in the same gateway while the cards were measured. */
  load?: LoadFigures;
}

/** How big a run is. */
export interface OsdpGatewayOptions {
  baud: number;
  pds: number;
  cards: number;
  /** The compiled e2eGateway.js. */
  gatewayScript: string;
  /**
   * The other readers' load (serial-line readers on LCUS boards, as the end-to-end benchmark runs
   * them) in the same gateway, from after the warm-up until the last card; none: a quiet machine.
   */
  load?: SerialLoadOptions;
}

/** The card number of the n-th card: an H10301 card number (16 bits), facility 12 on the card. */
const cardNumber = (n: number) => 1000 + n;
const WARMUP = 1;
/**
 * The mean time between two cards (after each card's output came on, a pause of 110–132 ms, past
 * its pulse). The serial-line comparison (osdp.ts) runs its readers at this pace.
 */
export const OSDP_CARD_GAP_MS = 125;
const LOST_AFTER_MS = 5_000;

/** The key of PD `address`: each reader its own. */
const keyOf = (address: number) => Buffer.alloc(16, address).toString("hex");

/**
 * The PDs' end of the line: read with libuv's tty handle (`data` as soon as epoll reports bytes),
 * written with one writeSync per reply, as a USB-RS-485 adapter hands a short packet over at once.
 */
function ttyLink(path: string): { link: DeviceLink; close: () => void } {
  const fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY);
  const stream = new ReadStream(fd);
  // socat going away at teardown ends the stream with EIO: expected then.
  stream.on("error", () => {});
  const link: DeviceLink = {
    write: (bytes) => {
      let at = 0;
      // The tty handle put the fd in non-blocking mode; a reply is far smaller than the pty's buffer.
      while (at < bytes.length) at += writeSync(fd, bytes, at);
      return true;
    },
    onData: (listener) => {
      stream.on("data", listener);
      return () => stream.off("data", listener);
    },
  };
  return { link, close: () => stream.destroy() };
}

/** The 8 simulated PDs (each its own key, one output, no display or keypad) on the pty's far end. */
function simulatedPds(pair: PtyPair, pds: number) {
  const line = ttyLink(pair.benchSide);
  // The simulator's own builder; buildPd reads only the clock and the scheduler of its context.
  const context = { clock: Date.now, scheduler: realScheduler } as DeviceContext;
  const devices = Array.from({ length: pds }, (_, i) =>
    buildPd(
      "bench",
      OsdpPdSpec.parse({ address: i + 1, scbk: keyOf(i + 1), display: false, keypad: false, outputs: 1 }),
      context,
    ),
  );
  const bus = new SimOsdpBus({ link: line.link, pds: devices, scheduler: realScheduler });
  bus.start();
  return {
    bus,
    pd: (address: number) => bus.pd(address),
    stop: () => {
      bus.stop();
      line.close();
    },
  };
}

/**
 * The gateway's configuration: reader osdp-A on PD address A, its door on that PD's output 0; and the
 * load's serial-line readers, doors and LCUS boards, if any.
 */
function gatewayDocument(dir: string, port: string, o: OsdpGatewayOptions, load?: SerialLoad): unknown {
  const ids = Array.from({ length: o.pds }, (_, i) => i + 1);
  const more = load?.config ?? { readers: [], doors: [], relays: [] };
  return {
    gateway: { id: "gw-bench-osdp", data: "data" },
    log: { level: "info" },
    readers: [
      ...ids.map((a) => ({
        id: `osdp-${a}`,
        area: "gym",
        direction: "in",
        door: `osdp-door-${a}`,
        driver: "osdp",
        port,
        baudRate: o.baud,
        address: a,
        scbkFile: join(dir, "keys", `pd-${a}.scbk`),
        cardNumber: "decimal",
      })),
      ...more.readers,
    ],
    doors: [
      ...ids.map((a) => ({ id: `osdp-door-${a}`, relay: `osdp-out-${a}`, channel: 0, pulseMs: 100 })),
      ...more.doors,
    ],
    relays: [
      ...ids.map((a) => ({ id: `osdp-out-${a}`, driver: "osdp-output", reader: `osdp-${a}` })),
      ...more.relays,
    ],
  };
}

/**
 * Every door's pulse (e2eGateway.ts): 100 ms, or under the load 40 ms, as the end-to-end benchmark
 * has it (its readers get a card every 100 ms; a longer pulse would queue behind the next grant).
 */
const pulseMsOf = (o: OsdpGatewayOptions) => (o.load ? 40 : 100);

async function startGateway(
  script: string,
  config: string,
  log: string,
  pulseMs: number,
): Promise<ChildProcess> {
  const fd = openSync(log, "w");
  const child = spawn(process.execPath, [script, "--config", config, "--pulse-ms", String(pulseMs)], {
    stdio: ["ignore", "ignore", fd],
  });
  closeSync(fd);
  return child;
}

async function stopGateway(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Runs one baud rate in `dir` (created and removed here). */
export async function runOsdpGateway(dir: string, o: OsdpGatewayOptions): Promise<OsdpGatewayResult> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "keys"), { recursive: true, mode: 0o700 });
  for (let a = 1; a <= o.pds; a++)
    writeFileSync(join(dir, "keys", `pd-${a}.scbk`), `${keyOf(a)}\n`, { mode: 0o600 });
  const perPd = WARMUP + Math.ceil(o.cards / o.pds);
  const load = o.load && (await prepareSerialLoad(o.load, (o.cards * (OSDP_CARD_GAP_MS + 5)) / 1000));
  // Reader r's k-th member holds the card presented as that PD's k-th card.
  createBenchData(join(dir, "data"), o.pds, perPd, (r, k) => String(cardNumber(k * o.pds + r)), load?.cards);
  const config = join(dir, "gateway.yaml");
  const pair = await startPtyPair();
  writeFileSync(config, JSON.stringify(gatewayDocument(dir, pair.gatewaySide, o, load), null, 2), {
    mode: 0o600,
  });

  const sim = simulatedPds(pair, o.pds);
  const tap = new WireTap();
  const fromCp = tap.observer("cp");
  const fromPd = tap.observer("pd");
  const offTraffic = sim.bus.onTraffic((from, bytes) => (from === "cp" ? fromCp : fromPd)(bytes));
  const waiting = new Map<number, (at: number) => void>();
  const offs = Array.from({ length: o.pds }, (_, i) =>
    sim.pd(i + 1).panel.outputs.on("change", (c) => {
      if (c.on) waiting.get(i + 1)?.(performance.now());
    }),
  );
  const log = join(dir, "gateway.log");
  const child = await startGateway(o.gatewayScript, config, log, pulseMsOf(o));
  let running: ReturnType<SerialLoad["start"]> | undefined;
  /** Presents card n at its PD; resolves with the time its output went on, or null after 5 s. */
  const present = async (n: number, limitMs: number): Promise<{ presented: number; on: number | null }> => {
    const address = (n % o.pds) + 1;
    const on = new Promise<number>((resolve) => waiting.set(address, resolve));
    const presented = performance.now();
    sim.pd(address).present(`12:${cardNumber(n)}`);
    const at = await Promise.race([on, sleep(limitMs).then(() => null)]);
    waiting.delete(address);
    return { presented, on: at };
  };
  try {
    // Warm-up: the gateway has started, opened the port and set up every PD's secure channel.
    for (let n = 0; n < o.pds * WARMUP; n++) {
      const { on } = await present(n, 30_000);
      if (on === null)
        throw new Error(
          `PD ${(n % o.pds) + 1}'s output did not come on within 30 s of the warm-up card; the gateway's log ends:\n${readFileSync(log, "utf8").slice(-2000)}`,
        );
      await sleep(150);
    }
    if (load && o.load) {
      running = load.start();
      await sleep(o.load.warmupSeconds * 1000);
    }
    tap.clear();
    const overhead: number[] = [];
    const wire: number[] = [];
    const share: number[] = [];
    let lost = 0;
    for (let k = 0; k < o.cards; k++) {
      const n = o.pds * WARMUP + k;
      const { presented, on } = await present(n, LOST_AFTER_MS);
      if (on === null) {
        lost++;
        continue;
      }
      const poll = fetchingPoll(tap.log, (n % o.pds) + 1, presented);
      if (poll === undefined)
        throw new Error(`no RAW reply from PD ${(n % o.pds) + 1} seen before its output`);
      overhead.push(on - Math.max(poll.at, presented));
      wire.push(wireMs(bytesBetween(tap.log, poll.at, on), o.baud));
      const inGateway = gatewayShare(tap.log, poll, on);
      if (inGateway !== undefined) share.push(inGateway);
      // Past the 100 ms pulse, and a gap that drifts against the poll cycle.
      await sleep(110 + ((k * 7) % 23));
    }
    const loadFigures = await running?.stop();
    running = undefined;
    await stopGateway(child);
    return {
      baud: o.baud,
      cardToRelay: summariseMs(overhead),
      wire: summariseMs(wire),
      gatewayShare: summariseMs(share),
      lost,
      granted: grantsFor(join(dir, "data"), o.pds * WARMUP, o.pds * WARMUP + o.cards),
      ...(loadFigures ? { load: loadFigures } : {}),
    };
  } finally {
    await running?.stop();
    await stopGateway(child);
    offTraffic();
    for (const off of offs) off();
    sim.stop();
    await pair.stop();
    await load?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The RAW reply after `poll` written → the next OUT to its PD received, before `until`. */
function gatewayShare(log: readonly WireRecord[], poll: WireRecord, until: number): number | undefined {
  const after = log.filter((r) => r.at >= poll.at && r.at <= until && r.address === poll.address);
  const raw = after.find((r) => r.from === "pd" && r.code === REPLY.RAW);
  const out = after.find((r) => r.from === "cp" && r.code === CMD.OUT && raw !== undefined && r.at >= raw.at);
  return raw && out ? out.at - raw.at : undefined;
}

/** The grants recorded for the cards numbered from..to-1. */
function grantsFor(dataDir: string, from: number, to: number): number {
  const store = Store.open(dataDir);
  try {
    const wanted = new Set(Array.from({ length: to - from }, (_, i) => String(cardNumber(from + i))));
    return listEvents(store).filter((e) => e.decision === "grant" && wanted.has(e.card)).length;
  } finally {
    store.close();
  }
}

/**
 * An RS-485 multi-drop OSDP bus as the simulator exposes it: one serial line (a pty or a TCP port)
 * with several simulated PDs on it, each answering its own address. The gateway's packets are
 * framed with the gateway's own frame reader (the CP's 0xFF mark byte skipped, a corrupt packet
 * ignored as a real PD ignores it), handed to every PD, and the one addressed replies through the
 * device's line faults.
 */
import { type FrameEvent, OsdpFrameReader } from "../../drivers/osdp/frameReader.js";
import type { Scheduler } from "../../runtime/scheduler.js";
import { deliver, type LineFault } from "./faults.js";
import type { OsdpPd } from "./osdpPd.js";
import type { DeviceLink } from "./serialDeviceServer.js";

/**
 * A PD gives up on a half-received packet after this much silence on the line (OSDP's
 * inter-character timeout is 20 ms; a pty delivers in chunks, so a little more), so a corrupt
 * length field from the CP cannot hide the packets behind it.
 */
export const IDLE_FLUSH_MS = 50;

/** What a SimOsdpBus is handed. */
export interface SimOsdpBusOptions {
  link: DeviceLink;
  pds: readonly OsdpPd[];
  scheduler: Scheduler;
  /** Applied to every reply, in order (drop, garble, delay, disconnect). */
  faults?: readonly LineFault[];
}

/** Running totals of a simulated bus. */
export interface SimOsdpBusCounters {
  /** Packets from the CP that decoded. */
  packets: number;
  /** Candidates from the CP that did not (bad CRC, bad length…): no PD answers those. */
  badPackets: number;
  replies: number;
}

/** Bytes on the line: `cp` as they came from the gateway, `pd` a reply as the bus writes it. */
export type SimOsdpTraffic = (from: "cp" | "pd", bytes: Uint8Array) => void;

/** Several OSDP PDs on one line; start() listens to it, stop() stops listening. */
export class SimOsdpBus {
  /** The PDs on the bus, in configuration order. */
  readonly pds: readonly OsdpPd[];
  private readonly link: DeviceLink;
  private readonly scheduler: Scheduler;
  private readonly faults: readonly LineFault[];
  private reader = new OsdpFrameReader();
  private replies = 0;
  private readonly timers = new Set<unknown>();
  private idleTimer: unknown;
  private unsubscribe: (() => void) | undefined;
  private readonly watchers = new Set<SimOsdpTraffic>();

  constructor(options: SimOsdpBusOptions) {
    this.link = options.link;
    this.pds = options.pds;
    this.scheduler = options.scheduler;
    this.faults = options.faults ?? [];
  }

  /** The PD answering `address` now (COMSET may have moved it); throws RangeError naming the addresses. */
  pd(address: number): OsdpPd {
    const found = this.pds.find((p) => p.address === address);
    if (found === undefined)
      throw new RangeError(
        `no PD at address ${address} (the bus has: ${this.pds.map((p) => p.address).join(", ")})`,
      );
    return found;
  }

  /** A snapshot of the counters. */
  counters(): SimOsdpBusCounters {
    const counts = this.reader.counts();
    return { packets: counts.packets, badPackets: counts.badPackets, replies: this.replies };
  }

  /** Calls `watcher` with the line's bytes both ways (a trace, or a benchmark's clock); returns a function that stops it. */
  onTraffic(watcher: SimOsdpTraffic): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** Starts listening to the line; later calls do nothing. */
  start(): void {
    this.unsubscribe ??= this.link.onData((bytes) => this.receive(bytes));
  }

  /** Stops listening, drops replies not yet sent and a half-received packet, stops the PDs' timers. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const timer of this.timers) this.scheduler.clearTimeout(timer);
    this.timers.clear();
    this.scheduler.clearTimeout(this.idleTimer);
    this.reader = new OsdpFrameReader();
    for (const pd of this.pds) pd.stop();
  }

  /** Feeds bytes as if they came down the line (also what start() wires to the link). */
  receive(bytes: Uint8Array): void {
    for (const watcher of this.watchers) watcher("cp", bytes);
    this.dispatch(this.reader.push(bytes));
    this.scheduler.clearTimeout(this.idleTimer);
    if (this.reader.pending > 0)
      this.idleTimer = this.scheduler.setTimeout(() => this.dispatch(this.reader.flush()), IDLE_FLUSH_MS);
  }

  private dispatch(events: readonly FrameEvent[]): void {
    for (const event of events) {
      if (event.kind !== "packet") continue;
      for (const pd of this.pds) {
        const reply = pd.handle(event.packet);
        if (reply === null) continue;
        if (reply.delayMs === 0) this.send(reply.bytes);
        else this.later(reply.bytes, reply.delayMs);
        // One PD answers a packet: on a real bus two replies at once would collide.
        break;
      }
    }
  }

  private later(bytes: Uint8Array, ms: number): void {
    const timer = this.scheduler.setTimeout(() => {
      this.timers.delete(timer);
      this.send(bytes);
    }, ms);
    this.timers.add(timer);
  }

  private send(bytes: Uint8Array): void {
    for (const watcher of this.watchers) watcher("pd", bytes);
    if (deliver(this.faults, bytes, (b) => this.link.write(b))) this.replies += 1;
  }
}

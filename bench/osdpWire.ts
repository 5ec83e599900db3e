/**
 * The OSDP benchmark's view of the wire (bench/osdp.ts): a tap on the control panel's transport
 * that logs every packet written and every reply read, with its time and size, and the arithmetic
 * over that log — wire time from the real packet sizes (10 bits a byte, 8N1), poll cycles, and the
 * CP's turnaround. A pty does not pace bytes at the baud rate, so wire time is computed, never seen.
 */
import { performance } from "node:perf_hooks";
import { CMD, REPLY } from "../drivers/osdp/codes.js";
import { OsdpFrameReader } from "../drivers/osdp/frameReader.js";
import type { Transport, TransportFactory } from "../drivers/transport/transport.js";

/** One packet on the bus, as one end of the line saw it (the control panel's, or the PDs' in osdpGateway.ts). */
export interface WireRecord {
  /** `cp`: a packet of the control panel's; `pd`: a PD's reply. */
  from: "cp" | "pd";
  /** performance.now() when written, or when its last byte was read (at the end that logged it). */
  at: number;
  /** Its bytes on the wire (the CP's 0xFF mark byte counted). */
  bytes: number;
  address: number;
  code: number;
}

/** One poll cycle: from a POLL to the first PD to the next, every PD polled once in between. */
export interface PollCycle {
  ms: number;
  /** Packets and bytes exchanged in the cycle. */
  packets: number;
  bytes: number;
}

/** The time `bytes` take on a line at `baud` (8N1: a start bit, 8 data bits, a stop bit), in ms. */
export function wireMs(bytes: number, baud: number): number {
  return (bytes * 10 * 1000) / baud;
}

/** Logs the packets of the transports it opens (one CP port); `clear()` starts a new log. */
export class WireTap {
  readonly log: WireRecord[] = [];

  /** The factory to hand the OsdpPort: `open`'s transports, tapped. */
  factory(open: TransportFactory): TransportFactory {
    return async (target, options) => this.wrap(await open(target, options));
  }

  /** Forgets what was logged (the setup before a measurement). */
  clear(): void {
    this.log.length = 0;
  }

  /**
   * A handler for one direction's bytes seen elsewhere (the simulator's end of the line): logged as
   * the CP's end logs them, with the time the handler is called.
   */
  observer(from: WireRecord["from"]): (chunk: Uint8Array) => void {
    const reader = new OsdpFrameReader();
    return (chunk) => this.record(from, reader, chunk);
  }

  private wrap(transport: Transport): Transport {
    const written = new OsdpFrameReader();
    const read = new OsdpFrameReader();
    transport.on("data", (chunk) => this.record("pd", read, chunk));
    return {
      target: transport.target,
      get isOpen() {
        return transport.isOpen;
      },
      on: (event, listener) => transport.on(event, listener),
      write: (bytes) => {
        this.record("cp", written, bytes);
        return transport.write(bytes);
      },
      close: () => transport.close(),
    };
  }

  private record(from: WireRecord["from"], reader: OsdpFrameReader, chunk: Uint8Array): void {
    const at = performance.now();
    for (const event of reader.push(chunk)) {
      if (event.kind !== "packet") continue;
      const { address, code } = event.packet;
      // The mark byte goes on the wire before each of the CP's packets; the reader skips it.
      const bytes = event.bytes.length + (from === "cp" ? 1 : 0);
      this.log.push({ from, at, bytes, address, code });
    }
  }
}

/** The poll cycles in `log`: POLL to `first` → the next POLL to it, with every one of `pds` polled between. */
export function pollCycles(log: readonly WireRecord[], first: number, pds: number): PollCycle[] {
  const starts = log.flatMap((r, i) =>
    r.from === "cp" && r.address === first && r.code === CMD.POLL ? [i] : [],
  );
  const cycles: PollCycle[] = [];
  for (let k = 1; k < starts.length; k++) {
    const slice = log.slice(starts[k - 1], starts[k]);
    const polled = new Set(slice.filter((r) => r.from === "cp" && r.code === CMD.POLL).map((r) => r.address));
    if (polled.size !== pds) continue;
    const ms = (log[starts[k] as number] as WireRecord).at - (slice[0] as WireRecord).at;
    cycles.push({ ms, packets: slice.length, bytes: slice.reduce((sum, r) => sum + r.bytes, 0) });
  }
  return cycles;
}

/** The CP's turnaround at each exchange: from a reply's last byte read to the next packet written (ms). */
export function turnarounds(log: readonly WireRecord[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < log.length; i++) {
    const [before, r] = [log[i - 1] as WireRecord, log[i] as WireRecord];
    if (before.from === "pd" && r.from === "cp") out.push(r.at - before.at);
  }
  return out;
}

/** The bytes exchanged from the first record at or after `from` up to `to` (both ms on the log's clock). */
export function bytesBetween(log: readonly WireRecord[], from: number, to: number): number {
  return log.filter((r) => r.at >= from && r.at <= to).reduce((sum, r) => sum + r.bytes, 0);
}

/**
 * The POLL that fetched a card presented at `at`: the last POLL to `address` before its first RAW
 * reply after `at` (it may have been written just before `at` and read by the PD just after).
 */
export function fetchingPoll(
  log: readonly WireRecord[],
  address: number,
  at: number,
): WireRecord | undefined {
  const raw = log.findIndex(
    (r) => r.from === "pd" && r.address === address && r.code === REPLY.RAW && r.at >= at,
  );
  for (let i = raw - 1; i >= 0; i--) {
    const r = log[i] as WireRecord;
    if (r.from === "cp" && r.address === address && r.code === CMD.POLL) return r;
  }
  return undefined;
}

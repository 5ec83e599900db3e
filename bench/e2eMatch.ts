/**
 * The pure half of the end-to-end latency benchmark: relay frames cut out of a timed byte stream,
 * relay ON frames matched to the scans that caused them, percentiles and the wire-time floor.
 * No I/O and no clock, so every rule here is unit tested.
 */
import { decodeLcus, LCUS_FRAME_LENGTH } from "../drivers/codecs/lcus.js";
import { type Latency, summarise } from "./stats.js";

/** Bits per byte on an 8N1 line: start bit, 8 data bits, stop bit. */
export const BITS_PER_BYTE = 10;

/** Time (ms) that `bytes` take on an 8N1 serial line at `baud`. */
export function wireTimeMs(bytes: number, baud: number): number {
  return ((bytes * BITS_PER_BYTE) / baud) * 1000;
}

/** An LCUS frame as the load generator read it: `at` is when its first byte was read. */
export interface TimedRelayFrame {
  channel: number;
  on: boolean;
  at: number;
}

/**
 * Cuts LCUS frames out of chunks read from a relay port, keeping the read time of each frame's
 * first byte (a frame may span chunks). Bytes that cannot start a valid frame are dropped and counted.
 */
export class TimedLcusSplitter {
  private bytes: number[] = [];
  private times: number[] = [];
  private dropped = 0;

  /** Feeds one chunk read at `at` (ms); returns the frames it completed. */
  push(chunk: Uint8Array, at: number): TimedRelayFrame[] {
    for (const b of chunk) {
      this.bytes.push(b);
      this.times.push(at);
    }
    const out: TimedRelayFrame[] = [];
    while (this.bytes.length >= LCUS_FRAME_LENGTH) {
      const [start, channel, op, sum] = this.bytes as [number, number, number, number];
      const decoded = decodeLcus(Uint8Array.of(start, channel, op, sum));
      if (decoded.ok) {
        out.push({ channel: decoded.channel, on: decoded.on, at: this.times[0] as number });
        this.bytes.splice(0, LCUS_FRAME_LENGTH);
        this.times.splice(0, LCUS_FRAME_LENGTH);
      } else {
        // Resync one byte at a time, as the board does after line noise.
        this.bytes.shift();
        this.times.shift();
        this.dropped++;
      }
    }
    return out;
  }

  /** Bytes dropped while resyncing (never expected from the gateway). */
  get discarded(): number {
    return this.dropped;
  }
}

/** A scan line the load generator wrote: `at` is just after the write of its last byte returned. */
export interface SentScan {
  reader: number;
  at: number;
  /** False during the warm-up: counted for lost/duplicated, left out of the latency figures. */
  measured: boolean;
}

/** A relay ON frame, already mapped from (board, channel) to the reader whose door it is. */
export interface ReaderPulse {
  reader: number;
  at: number;
}

/** What matching found. */
export interface MatchResult {
  /** Latency (ms) of every measured scan that was matched, in scan order per reader. */
  latencies: number[];
  /** When each of `latencies` was written (same order). */
  writtenAt: number[];
  matched: number;
  /** Scans with no ON frame within the timeout. */
  lost: number;
  /** ON frames with no scan waiting for them. */
  duplicated: number;
}

/**
 * Matches ON frames to scans, per reader, first in first out: a reader's door opens once per grant
 * and its pulses never overlap, so the k-th ON frame of its channel answers its k-th scan. A scan
 * still unanswered `timeoutMs` after it was written is lost; an ON frame with no scan written before
 * it (and not yet timed out) is a duplicate. Exact when nothing is lost; a loss is always counted.
 */
export function matchScans(scans: SentScan[], pulses: ReaderPulse[], timeoutMs: number): MatchResult {
  const result: MatchResult = { latencies: [], writtenAt: [], matched: 0, lost: 0, duplicated: 0 };
  const waiting = new Map<number, SentScan[]>();
  for (const s of [...scans].sort((a, b) => a.at - b.at)) {
    const q = waiting.get(s.reader) ?? [];
    q.push(s);
    waiting.set(s.reader, q);
  }
  const heads = new Map<number, number>();
  for (const p of [...pulses].sort((a, b) => a.at - b.at)) {
    const q = waiting.get(p.reader) ?? [];
    let i = heads.get(p.reader) ?? 0;
    while (i < q.length && (q[i] as SentScan).at < p.at - timeoutMs) {
      result.lost++;
      i++;
    }
    const scan = q[i];
    if (scan === undefined || scan.at > p.at) {
      result.duplicated++;
    } else {
      result.matched++;
      if (scan.measured) {
        result.latencies.push(p.at - scan.at);
        result.writtenAt.push(scan.at);
      }
      i++;
    }
    heads.set(p.reader, i);
  }
  for (const [reader, q] of waiting) result.lost += q.length - (heads.get(reader) ?? 0);
  return result;
}

/** p50/p99/max/mean of latencies given in milliseconds (nearest-rank percentiles). */
export function summariseMs(latencies: readonly number[]): Latency {
  if (latencies.length === 0) return { n: 0, p50: 0, p99: 0, max: 0, mean: 0 };
  const ns = new Float64Array(latencies.length);
  latencies.forEach((v, i) => {
    ns[i] = v * 1e6;
  });
  return summarise(ns);
}

/** The worst latency of each second of the run (second 0 starts at `from`): where the tail comes from. */
export function worstPerSecond(
  latencies: readonly number[],
  writtenAt: readonly number[],
  from: number,
): number[] {
  const worst: number[] = [];
  latencies.forEach((v, i) => {
    const second = Math.floor(((writtenAt[i] ?? from) - from) / 1000);
    worst[second] = Math.max(worst[second] ?? 0, v);
  });
  return Array.from(worst, (v) => v ?? 0);
}

/**
 * Splits a serial byte stream into lines on CR, LF or CRLF, byte at a time so chunking never
 * changes the result. The buffer is bounded: a line that passes `maxLineBytes` without a
 * terminator is reported once as too long and discarded up to the next terminator.
 *
 * Not @serialport/parser-readline: that splits on one delimiter, so a reader ending its lines with
 * CR alone (or LF alone) would never end one, it buffers without a bound, and it is a stream while
 * our transports hand out chunks.
 */
import { maxLineBytes } from "../codecs/serialLine.js";

/** A complete line (terminator excluded), or an over-long one that was discarded. */
export type SplitLine = { kind: "line"; bytes: Uint8Array } | { kind: "too_long"; detail: string };

const CR = 0x0d;
const LF = 0x0a;

/** Streaming line splitter with a fixed-size buffer. */
export class LineSplitter {
  private readonly buffer: Uint8Array;
  private readonly limit: number;
  private length = 0;
  /** True while skipping the rest of an over-long line. */
  private discarding = false;
  /** True right after a CR, so the LF of a CRLF does not end a second (empty) line. */
  private afterCr = false;

  constructor(limit: number = maxLineBytes) {
    this.limit = limit;
    this.buffer = new Uint8Array(limit);
  }

  /** Feeds a chunk; returns the lines (and over-long rejections) it completed. Never throws. */
  push(chunk: Uint8Array): SplitLine[] {
    const out: SplitLine[] = [];
    for (const byte of chunk) this.step(byte, out);
    return out;
  }

  /** Forgets a partial line (e.g. after the port reopens). */
  reset(): void {
    this.length = 0;
    this.discarding = false;
    this.afterCr = false;
  }

  private step(byte: number, out: SplitLine[]): void {
    const wasAfterCr = this.afterCr;
    this.afterCr = byte === CR;
    if (byte === CR || byte === LF) {
      if (byte === LF && wasAfterCr) return;
      if (this.discarding) this.discarding = false;
      else out.push({ kind: "line", bytes: this.buffer.slice(0, this.length) });
      this.length = 0;
      return;
    }
    if (this.discarding) return;
    if (this.length >= this.limit) {
      this.discarding = true;
      this.length = 0;
      out.push({ kind: "too_long", detail: `line longer than ${this.limit} bytes without a terminator` });
      return;
    }
    this.buffer[this.length++] = byte;
  }
}

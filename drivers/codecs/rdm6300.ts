/**
 * RDM6300 (125 kHz EM4100) serial frames: 0x02, 10 ASCII hex digits (2 version + 8 tag),
 * 2 ASCII hex digits of checksum (XOR of the 5 data bytes), 0x03.
 *
 * The parser is a byte-at-a-time state machine, so how the stream is chunked never changes
 * the result. It does not dedupe repeated frames: one decision per presentation is the
 * debounce's job.
 */

const STX = 0x02;
const ETX = 0x03;
/** Bytes between STX and ETX: 10 data + 2 checksum hex digits. */
const BODY_LENGTH = 12;

/** A valid frame: `card` is the 32-bit tag in decimal (the version byte is dropped). */
export interface Rdm6300Frame {
  kind: "frame";
  version: number;
  tag: number;
  /** The tag as 8 upper-case hex digits, as printed on the reader's serial line. */
  tagHex: string;
  card: string;
}

/** Why a frame was dropped. */
export type Rdm6300ErrorCode = "bad_checksum" | "zero_tag" | "bad_frame";

/** A dropped frame, reported so the driver can count and log it. */
export interface Rdm6300Error {
  kind: "error";
  error: Rdm6300ErrorCode;
  detail: string;
}

/** What {@link Rdm6300Parser.push} returns, in stream order. */
export type Rdm6300Event = Rdm6300Frame | Rdm6300Error;

/** Running totals of what the parser dropped. */
export interface Rdm6300Counters {
  frames: number;
  badChecksum: number;
  zeroTag: number;
  badFrame: number;
  /** Bytes outside any frame (line noise before an STX). */
  skippedBytes: number;
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return -1;
}

/** Streaming RDM6300 parser: feed chunks with `push`, get completed frames and errors back. */
export class Rdm6300Parser {
  private readonly body = new Uint8Array(BODY_LENGTH);
  /** -1 while hunting for STX, else the number of body bytes collected. */
  private filled = -1;
  private readonly totals: Rdm6300Counters = {
    frames: 0,
    badChecksum: 0,
    zeroTag: 0,
    badFrame: 0,
    skippedBytes: 0,
  };

  /** Feeds a chunk of bytes; returns the frames and errors it completed. Never throws. */
  push(chunk: Uint8Array): Rdm6300Event[] {
    const out: Rdm6300Event[] = [];
    for (const byte of chunk) this.step(byte, out);
    return out;
  }

  /** A snapshot of the running counters. */
  counters(): Rdm6300Counters {
    return { ...this.totals };
  }

  /** Forgets a partial frame (e.g. after the port reopens). */
  reset(): void {
    this.filled = -1;
  }

  private step(byte: number, out: Rdm6300Event[]): void {
    if (this.filled < 0) {
      if (byte === STX) this.filled = 0;
      else this.totals.skippedBytes++;
      return;
    }
    if (this.filled < BODY_LENGTH) {
      if (hexValue(byte) >= 0) {
        this.body[this.filled++] = byte;
        return;
      }
      this.fail(out, `expected a hex digit at offset ${this.filled + 1}, got 0x${hex2(byte)}`);
      // Resync: an STX inside a broken frame starts the next frame.
      this.filled = byte === STX ? 0 : -1;
      return;
    }
    if (byte !== ETX) {
      this.fail(out, `expected ETX at offset 13, got 0x${hex2(byte)}`);
      this.filled = byte === STX ? 0 : -1;
      return;
    }
    this.filled = -1;
    out.push(this.finish());
  }

  private fail(out: Rdm6300Event[], detail: string): void {
    this.totals.badFrame++;
    out.push({ kind: "error", error: "bad_frame", detail });
  }

  private finish(): Rdm6300Event {
    const bytes: number[] = [];
    for (let i = 0; i < BODY_LENGTH; i += 2) {
      bytes.push((hexValue(this.body[i] ?? 0) << 4) | hexValue(this.body[i + 1] ?? 0));
    }
    const data = bytes.slice(0, 5);
    const checksum = data.reduce((a, b) => a ^ b, 0);
    if (checksum !== bytes[5]) {
      this.totals.badChecksum++;
      const detail = `checksum 0x${hex2(bytes[5] ?? 0)} but data XOR is 0x${hex2(checksum)}`;
      return { kind: "error", error: "bad_checksum", detail };
    }
    const tag =
      (((data[1] ?? 0) << 24) | ((data[2] ?? 0) << 16) | ((data[3] ?? 0) << 8) | (data[4] ?? 0)) >>> 0;
    if (tag === 0) {
      this.totals.zeroTag++;
      return { kind: "error", error: "zero_tag", detail: "tag 00000000 is not a card" };
    }
    this.totals.frames++;
    return { kind: "frame", version: data[0] ?? 0, tag, tagHex: hex8(tag), card: String(tag) };
  }
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, "0");
}

function hex8(n: number): string {
  return n.toString(16).toUpperCase().padStart(8, "0");
}

/** Encodes a 32-bit tag (and optional version byte) as a 14-byte RDM6300 frame, for the simulator. */
export function encodeRdm6300Frame(tag: number, version = 0): Uint8Array {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xffffffff)
    throw new RangeError(`tag must be 0..2^32-1, got ${tag}`);
  if (!Number.isInteger(version) || version < 0 || version > 0xff) {
    throw new RangeError(`version must be 0..255, got ${version}`);
  }
  const data = [version, tag >>> 24, (tag >>> 16) & 0xff, (tag >>> 8) & 0xff, tag & 0xff];
  const checksum = data.reduce((a, b) => a ^ b, 0);
  const text = [...data, checksum].map(hex2).join("");
  const frame = new Uint8Array(2 + text.length);
  frame[0] = STX;
  for (let i = 0; i < text.length; i++) frame[i + 1] = text.charCodeAt(i);
  frame[frame.length - 1] = ETX;
  return frame;
}

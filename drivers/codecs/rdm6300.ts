/**
 * RDM6300 (125 kHz EM4100) serial frames: 0x02, 10 ASCII hex digits (2 version + 8 tag),
 * 2 ASCII hex digits of checksum (XOR of the 5 data bytes), 0x03. ID-12LA and ID-20LA readers
 * send the same frame with CR LF before the 0x03; both are accepted.
 *
 * The parser is a byte-at-a-time state machine, so how the stream is chunked never changes
 * the result. It does not dedupe repeated frames: one decision per presentation is the
 * debounce's job.
 */

/** Start of an EM4100 frame. */
export const STX = 0x02;
/** End of an EM4100 frame. */
export const ETX = 0x03;
const CR = 0x0d;
const LF = 0x0a;
/** Bytes between STX and ETX: 10 data + 2 checksum hex digits. */
export const EM4100_BODY_LENGTH = 12;
const BODY_LENGTH = EM4100_BODY_LENGTH;

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

/**
 * Checks the 12 ASCII hex digits between STX and ETX (10 data, 2 checksum) and reads the tag:
 * a frame, or a bad checksum or an all-zero tag. The caller has checked that they are hex digits.
 */
export function decodeEm4100Body(body: Uint8Array): Rdm6300Frame | Rdm6300Error {
  const bytes: number[] = [];
  for (let i = 0; i < BODY_LENGTH; i += 2) {
    bytes.push((hexValue(body[i] ?? 0) << 4) | hexValue(body[i + 1] ?? 0));
  }
  const data = bytes.slice(0, 5);
  const checksum = data.reduce((a, b) => a ^ b, 0);
  if (checksum !== bytes[5]) {
    const detail = `checksum 0x${hex2(bytes[5] ?? 0)} but data XOR is 0x${hex2(checksum)}`;
    return { kind: "error", error: "bad_checksum", detail };
  }
  const tag =
    (((data[1] ?? 0) << 24) | ((data[2] ?? 0) << 16) | ((data[3] ?? 0) << 8) | (data[4] ?? 0)) >>> 0;
  if (tag === 0) return { kind: "error", error: "zero_tag", detail: "tag 00000000 is not a card" };
  return { kind: "frame", version: data[0] ?? 0, tag, tagHex: hex8(tag), card: String(tag) };
}

/** Whether every byte is an ASCII hex digit. */
export function allHexDigits(bytes: Uint8Array): boolean {
  return bytes.every((b) => hexValue(b) >= 0);
}

/** Where the parser is: hunting for STX, in the body, or after it (plain, after CR, after CR LF). */
type Phase = "hunt" | "body" | "tail" | "cr" | "crlf";

/** Streaming RDM6300 parser: feed chunks with `push`, get completed frames and errors back. */
export class Rdm6300Parser {
  private readonly body = new Uint8Array(BODY_LENGTH);
  private phase: Phase = "hunt";
  /** Body bytes collected so far. */
  private filled = 0;
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
    this.phase = "hunt";
  }

  private step(byte: number, out: Rdm6300Event[]): void {
    const phase = this.phase;
    if (phase === "hunt") {
      if (byte === STX) this.begin();
      else this.totals.skippedBytes++;
    } else if (phase === "body" && hexValue(byte) >= 0) {
      this.body[this.filled++] = byte;
      if (this.filled === BODY_LENGTH) this.phase = "tail";
    } else if (phase === "tail" && byte === CR) {
      // ID-12LA / ID-20LA: CR LF before the ETX.
      this.phase = "cr";
    } else if (phase === "cr" && byte === LF) {
      this.phase = "crlf";
    } else if ((phase === "tail" || phase === "crlf") && byte === ETX) {
      this.finish(out);
    } else {
      this.fail(out, byte, `${this.expected(phase)}, got 0x${hex2(byte)}`);
    }
  }

  /** What the byte at this point of a frame should have been. */
  private expected(phase: Exclude<Phase, "hunt">): string {
    switch (phase) {
      case "body":
        return `expected a hex digit at offset ${this.filled + 1}`;
      case "tail":
        return "expected ETX (or CR LF ETX) at offset 13";
      case "cr":
        return "expected LF after CR at offset 14";
      case "crlf":
        return "expected ETX after CR LF at offset 15";
    }
  }

  private begin(): void {
    this.phase = "body";
    this.filled = 0;
  }

  /** Reports a broken frame; an STX inside it starts the next frame (resync). */
  private fail(out: Rdm6300Event[], byte: number, detail: string): void {
    this.totals.badFrame++;
    out.push({ kind: "error", error: "bad_frame", detail });
    if (byte === STX) this.begin();
    else this.phase = "hunt";
  }

  private finish(out: Rdm6300Event[]): void {
    this.phase = "hunt";
    const event = decodeEm4100Body(this.body);
    if (event.kind === "frame") this.totals.frames++;
    else if (event.error === "bad_checksum") this.totals.badChecksum++;
    else this.totals.zeroTag++;
    out.push(event);
  }
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, "0");
}

function hex8(n: number): string {
  return n.toString(16).toUpperCase().padStart(8, "0");
}

/**
 * Encodes a 32-bit tag (and optional version byte) as an RDM6300 frame (14 bytes), or with
 * `crlf` as an ID-12LA / ID-20LA frame (CR LF before the ETX, 16 bytes), for the simulator.
 */
export function encodeRdm6300Frame(tag: number, version = 0, options: { crlf?: boolean } = {}): Uint8Array {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xffffffff)
    throw new RangeError(`tag must be 0..2^32-1, got ${tag}`);
  if (!Number.isInteger(version) || version < 0 || version > 0xff) {
    throw new RangeError(`version must be 0..255, got ${version}`);
  }
  const data = [version, tag >>> 24, (tag >>> 16) & 0xff, (tag >>> 8) & 0xff, tag & 0xff];
  const checksum = data.reduce((a, b) => a ^ b, 0);
  const text = [...data, checksum].map(hex2).join("");
  const tail = options.crlf ? [CR, LF, ETX] : [ETX];
  return Uint8Array.from([STX, ...Array.from(text, (c) => c.charCodeAt(0)), ...tail]);
}

/**
 * LCUS-style USB relay boards (CH340, 9600 8N1). The board never answers, so the gateway only
 * encodes; the decoder and the splitter exist for the simulator, which must parse what we send.
 *
 * Frame: `A0 ch op sum` where `sum = (0xA0 + ch + op) & 0xFF`, `ch` is 1-based, `op` 1 = on, 0 = off.
 */
import { inChannelRange, RELAY_CHANNELS } from "../../config/deviceLimits.js";

/** First byte of every frame. */
export const LCUS_START = 0xa0;
/** Every frame is exactly four bytes. */
export const LCUS_FRAME_LENGTH = 4;

/** A decoded relay command. */
export interface LcusCommand {
  channel: number;
  on: boolean;
}

/** Why a four-byte frame is not a valid command. */
export type LcusDecodeError = "short" | "bad_start" | "bad_checksum" | "bad_channel" | "bad_op";

/** Result of {@link decodeLcus}: the command, or a typed error and what was found. */
export type LcusDecodeResult =
  | ({ ok: true } & LcusCommand)
  | { ok: false; error: LcusDecodeError; detail: string };

/** Checksum byte for channel and op: the low byte of the sum of the three header bytes. */
export function lcusChecksum(channel: number, op: number): number {
  return (LCUS_START + channel + op) & 0xff;
}

const CHANNELS = RELAY_CHANNELS["lcus-serial"];

/** Encodes "switch relay `channel` (1-based) on or off"; throws RangeError for a channel the board cannot have. */
export function encodeLcus(channel: number, on: boolean): Uint8Array {
  if (!inChannelRange(CHANNELS, channel)) {
    throw new RangeError(
      `LCUS channel must be an integer ${CHANNELS.min}..${CHANNELS.max}, found ${channel}`,
    );
  }
  const op = on ? 1 : 0;
  return Uint8Array.of(LCUS_START, channel, op, lcusChecksum(channel, op));
}

/** Decodes one four-byte frame; never throws. Extra bytes after the first four are ignored. */
export function decodeLcus(bytes: Uint8Array): LcusDecodeResult {
  if (bytes.length < LCUS_FRAME_LENGTH) {
    return fail("short", `expected ${LCUS_FRAME_LENGTH} bytes, found ${bytes.length}`);
  }
  const start = bytes[0] ?? 0;
  const channel = bytes[1] ?? 0;
  const op = bytes[2] ?? 0;
  const sum = bytes[3] ?? 0;
  if (start !== LCUS_START) return fail("bad_start", `expected start byte a0, found ${hex(start)}`);
  const expected = lcusChecksum(channel, op);
  if (sum !== expected) return fail("bad_checksum", `expected checksum ${hex(expected)}, found ${hex(sum)}`);
  if (channel === 0) return fail("bad_channel", "channel 0 does not exist (channels are 1-based)");
  if (op > 1) return fail("bad_op", `expected op 00 (off) or 01 (on), found ${hex(op)}`);
  return { ok: true, channel, on: op === 1 };
}

/** Result of {@link splitLcusFrames}: whole frames, the bytes to keep for later, and bytes dropped. */
export interface LcusSplit {
  frames: Uint8Array[];
  rest: Uint8Array;
  discarded: number;
}

/**
 * Cuts a byte buffer into checksum-valid four-byte frames. A frame is accepted only if it starts
 * with a0 and its checksum matches; otherwise one byte is dropped and the search restarts, so the
 * reader resyncs after line noise. Semantic checks (channel 0, op) are left to {@link decodeLcus}.
 */
export function splitLcusFrames(buffer: Uint8Array): LcusSplit {
  const frames: Uint8Array[] = [];
  let discarded = 0;
  let i = 0;
  while (buffer.length - i >= LCUS_FRAME_LENGTH) {
    const channel = buffer[i + 1] ?? 0;
    const op = buffer[i + 2] ?? 0;
    if (buffer[i] === LCUS_START && buffer[i + 3] === lcusChecksum(channel, op)) {
      frames.push(buffer.slice(i, i + LCUS_FRAME_LENGTH));
      i += LCUS_FRAME_LENGTH;
    } else {
      i += 1;
      discarded += 1;
    }
  }
  // Keep an incomplete tail only from a start byte on; anything before it can never become a frame.
  let keepFrom = i;
  while (keepFrom < buffer.length && buffer[keepFrom] !== LCUS_START) keepFrom += 1;
  discarded += keepFrom - i;
  return { frames, rest: buffer.slice(keepFrom), discarded };
}

/** Streaming wrapper around {@link splitLcusFrames}: feed chunks as they arrive, get whole frames. */
export class LcusFrameSplitter {
  private pending: Uint8Array = new Uint8Array(0);
  private dropped = 0;

  /** Appends a chunk and returns every frame completed by it. */
  push(chunk: Uint8Array): Uint8Array[] {
    const joined = new Uint8Array(this.pending.length + chunk.length);
    joined.set(this.pending, 0);
    joined.set(chunk, this.pending.length);
    const { frames, rest, discarded } = splitLcusFrames(joined);
    this.pending = rest;
    this.dropped += discarded;
    return frames;
  }

  /** Bytes thrown away so far while resyncing (a health hint for the simulator). */
  get discarded(): number {
    return this.dropped;
  }

  /** Bytes held back waiting for the rest of a frame. */
  get buffered(): number {
    return this.pending.length;
  }
}

function fail(error: LcusDecodeError, detail: string): LcusDecodeResult {
  return { ok: false, error, detail };
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, "0");
}

/**
 * Modbus RTU, only what relay boards and input modules need: FC05 "write single coil", and FC01
 * "read coils" / FC02 "read discrete inputs". The gateway encodes requests and decodes replies;
 * the simulator decodes requests and encodes replies. No I/O, no timers — the caller owns the port
 * and the reply timeout.
 *
 * FC05 request and normal reply: `unit 05 addrHi addrLo (FF 00 | 00 00) crcLo crcHi` (8 bytes).
 * FC01/FC02 request: `unit fc addrHi addrLo qtyHi qtyLo crcLo crcHi` (8 bytes); reply:
 * `unit fc byteCount data… crcLo crcHi`, bit 0 of the first data byte is the first address.
 * Exception reply: `unit (fc|80) code crcLo crcHi` (5 bytes).
 */
import { inChannelRange, MODBUS_UNIT, RELAY_CHANNELS } from "../../config/deviceLimits.js";

/** Function code "write single coil". */
export const FC_WRITE_SINGLE_COIL = 0x05;
/** Function code "read coils". */
export const FC_READ_COILS = 0x01;
/** Function code "read discrete inputs". */
export const FC_READ_DISCRETE_INPUTS = 0x02;
/** Length of an FC05 request and of its echo reply. */
export const WRITE_COIL_FRAME_LENGTH = 8;
/** Length of any exception reply. */
export const EXCEPTION_FRAME_LENGTH = 5;

/** Modbus exception codes a relay board may answer with. */
export const EXCEPTION_NAMES = {
  1: "illegal_function",
  2: "illegal_data_address",
  3: "illegal_data_value",
  4: "server_device_failure",
} as const;

/** Name of an exception code; codes outside 1..4 are "unknown". */
export type ExceptionName = (typeof EXCEPTION_NAMES)[keyof typeof EXCEPTION_NAMES] | "unknown";

/** Result of {@link decodeReply}. */
export type ReplyResult =
  | { ok: true; data?: Uint8Array }
  | { ok: false; error: "exception"; code: number; name: ExceptionName }
  | { ok: false; error: "bad_crc" | "mismatch" | "short" };

/** A decoded FC05 request, as the simulator sees it. */
export interface WriteCoilRequest {
  unit: number;
  coil: number;
  on: boolean;
}

/**
 * Result of {@link decodeRequest}. `unsupported_function` and `bad_value` carry unit and function
 * so the simulator can answer with exception 1 or 3, as a real device would.
 */
export type RequestResult =
  | ({ ok: true } & WriteCoilRequest)
  | { ok: false; error: "short" | "bad_crc" }
  | { ok: false; error: "unsupported_function" | "bad_value"; unit: number; fc: number };

/** CRC-16/MODBUS (reflected poly 0xA001, init 0xFFFF); on the wire the low byte goes first. */
export function crc16modbus(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
    }
  }
  return crc;
}

/** Encodes an FC05 request; throws RangeError for a unit outside 0..255 or a coil the board cannot have. */
export function encodeWriteCoil(unit: number, coil: number, on: boolean): Uint8Array {
  checkUnit(unit);
  const coils = RELAY_CHANNELS["modbus-rtu"];
  if (!inChannelRange(coils, coil)) {
    throw new RangeError(`Modbus coil address must be an integer ${coils.min}..${coils.max}, found ${coil}`);
  }
  return withCrc([unit, FC_WRITE_SINGLE_COIL, coil >> 8, coil & 0xff, on ? 0xff : 0x00, 0x00]);
}

/** Encodes an FC01 (coils) or FC02 (discrete inputs) read of `quantity` bits from `address`. */
export function encodeReadBits(unit: number, fc: 1 | 2, address: number, quantity = 1): Uint8Array {
  checkUnit(unit);
  if (!Number.isInteger(address) || address < 0 || address > 0xffff)
    throw new RangeError(`Modbus address must be an integer 0..65535, found ${address}`);
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > 2000)
    throw new RangeError(`Modbus read quantity must be 1..2000, found ${quantity}`);
  return withCrc([unit, fc, address >> 8, address & 0xff, quantity >> 8, quantity & 0xff]);
}

/** Encodes an FC01/FC02 reply (simulator side): the bits packed 8 to a byte, first bit lowest. */
export function encodeReadBitsReply(unit: number, fc: 1 | 2, bits: readonly boolean[]): Uint8Array {
  checkUnit(unit);
  const data = new Array<number>(Math.ceil(bits.length / 8)).fill(0);
  bits.forEach((on, i) => {
    if (on) data[i >> 3] = (data[i >> 3] ?? 0) | (1 << (i & 7));
  });
  return withCrc([unit, fc, data.length, ...data]);
}

/** Bit `index` of a read reply's data (bit 0 of the first byte is the first address read). */
export function replyBit(data: Uint8Array, index: number): boolean {
  return (((data[index >> 3] ?? 0) >> (index & 7)) & 1) === 1;
}

/** Encodes an exception reply for function `fc` (the 0x80 bit is set here); throws RangeError on bad bytes. */
export function encodeException(unit: number, fc: number, code: number): Uint8Array {
  checkUnit(unit);
  checkByte("function code", fc);
  checkByte("exception code", code);
  return withCrc([unit, (fc | 0x80) & 0xff, code]);
}

/**
 * Checks a reply against the request it answers; never throws. `bytes` must be exactly one frame
 * (cut with {@link rtuFrameLength}): fewer bytes are "short", extra bytes are a "mismatch".
 */
export function decodeReply(expectedRequest: Uint8Array, bytes: Uint8Array): ReplyResult {
  if (bytes.length < EXCEPTION_FRAME_LENGTH) return { ok: false, error: "short" };
  const fc = bytes[1] ?? 0;
  if (fc & 0x80) {
    if (bytes.length > EXCEPTION_FRAME_LENGTH) return { ok: false, error: "mismatch" };
    if (!crcValid(bytes)) return { ok: false, error: "bad_crc" };
    // An exception from another unit or for another function does not answer our request.
    if (bytes[0] !== expectedRequest[0] || fc !== ((expectedRequest[1] ?? 0) | 0x80)) {
      return { ok: false, error: "mismatch" };
    }
    const code = bytes[2] ?? 0;
    return { ok: false, error: "exception", code, name: exceptionName(code) };
  }
  if (isReadBits(fc)) return decodeReadBitsReply(expectedRequest, bytes);
  if (bytes.length < WRITE_COIL_FRAME_LENGTH) return { ok: false, error: "short" };
  if (bytes.length > WRITE_COIL_FRAME_LENGTH) return { ok: false, error: "mismatch" };
  if (!crcValid(bytes)) return { ok: false, error: "bad_crc" };
  // FC05: the normal reply is an exact echo of the request.
  return sameBytes(bytes, expectedRequest) ? { ok: true } : { ok: false, error: "mismatch" };
}

const isReadBits = (fc: number) => fc === FC_READ_COILS || fc === FC_READ_DISCRETE_INPUTS;

/** An FC01/FC02 reply: same unit and function as the request, one data byte per 8 bits asked. */
function decodeReadBitsReply(request: Uint8Array, bytes: Uint8Array): ReplyResult {
  const count = bytes[2] ?? 0;
  if (bytes.length < 5 + count) return { ok: false, error: "short" };
  if (bytes.length > 5 + count) return { ok: false, error: "mismatch" };
  if (!crcValid(bytes)) return { ok: false, error: "bad_crc" };
  const quantity = ((request[4] ?? 0) << 8) | (request[5] ?? 0);
  if (bytes[0] !== request[0] || bytes[1] !== request[1] || count !== Math.ceil(quantity / 8))
    return { ok: false, error: "mismatch" };
  return { ok: true, data: bytes.slice(3, 3 + count) };
}

/** Decodes an FC05 request on the simulator side; never throws. Expects exactly one 8-byte frame. */
export function decodeRequest(bytes: Uint8Array): RequestResult {
  if (bytes.length < WRITE_COIL_FRAME_LENGTH) return { ok: false, error: "short" };
  const frame = bytes.subarray(0, WRITE_COIL_FRAME_LENGTH);
  if (!crcValid(frame)) return { ok: false, error: "bad_crc" };
  const unit = frame[0] ?? 0;
  const fc = frame[1] ?? 0;
  if (fc !== FC_WRITE_SINGLE_COIL) return { ok: false, error: "unsupported_function", unit, fc };
  const value = ((frame[4] ?? 0) << 8) | (frame[5] ?? 0);
  // Modbus spec: only FF00 (on) and 0000 (off) are legal; anything else is exception 3.
  if (value !== 0xff00 && value !== 0x0000) return { ok: false, error: "bad_value", unit, fc };
  const coil = ((frame[2] ?? 0) << 8) | (frame[3] ?? 0);
  return { ok: true, unit, coil, on: value === 0xff00 };
}

/** Name of an exception code, "unknown" for codes a relay board should not send. */
export function exceptionName(code: number): ExceptionName {
  return EXCEPTION_NAMES[code as keyof typeof EXCEPTION_NAMES] ?? "unknown";
}

/**
 * Length of the reply starting at `head[0]`, for a streaming reader: 8 for FC05, 5 + byte count
 * for FC01/FC02, 5 for an exception, "need_more" until the function byte has arrived, "unknown" for other functions
 * (the reader should then drop a byte and resync, or flush after the inter-frame silence). With
 * `expectedFc`, only that function's reply or its exception is a frame.
 */
export function rtuFrameLength(head: Uint8Array, expectedFc?: number): number | "need_more" | "unknown" {
  if (head.length < 2) return "need_more";
  const fc = head[1] ?? 0;
  // Waiting for the answer to one function: any other function byte is noise, not a frame start.
  if (expectedFc !== undefined && fc !== expectedFc && fc !== (expectedFc | 0x80)) return "unknown";
  if (fc & 0x80) return EXCEPTION_FRAME_LENGTH;
  if (fc === FC_WRITE_SINGLE_COIL) return WRITE_COIL_FRAME_LENGTH;
  if (isReadBits(fc)) return head.length < 3 ? "need_more" : 5 + (head[2] ?? 0);
  return "unknown";
}

function withCrc(body: number[]): Uint8Array {
  const frame = new Uint8Array(body.length + 2);
  frame.set(body, 0);
  const crc = crc16modbus(frame.subarray(0, body.length));
  frame[body.length] = crc & 0xff;
  frame[body.length + 1] = crc >> 8;
  return frame;
}

function crcValid(frame: Uint8Array): boolean {
  const n = frame.length;
  const crc = crc16modbus(frame.subarray(0, n - 2));
  return frame[n - 2] === (crc & 0xff) && frame[n - 1] === crc >> 8;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function checkUnit(unit: number): void {
  // 0 is broadcast (no reply); 248..255 are reserved by the spec, but LCTech boards ship at 255.
  if (!Number.isInteger(unit) || unit < 0 || unit > MODBUS_UNIT.max) {
    throw new RangeError(`Modbus unit id must be an integer 0..${MODBUS_UNIT.max}, found ${unit}`);
  }
}

function checkByte(what: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) {
    throw new RangeError(`Modbus ${what} must be an integer 0..255, found ${value}`);
  }
}

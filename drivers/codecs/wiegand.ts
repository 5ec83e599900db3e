/**
 * Wiegand credential formats: decode a received bit string (value + bit count) into facility
 * code and card number with parity checks, and encode the reverse for the simulator.
 *
 * Bit positions below are 1-based from the first bit on the wire (the most significant bit of
 * `value`), as in the HID format sheets. Values are bigint because several formats exceed 32 bits.
 */

import type { WiegandFormatName } from "../../config/deviceLimits.js";

/** Names of the supported Wiegand formats (defined once in config, where the schemas need them). */
export type { WiegandFormatName };

/** A decoded Wiegand credential; `facilityCode` is null for formats without one (H10302). */
export interface WiegandCredential {
  format: WiegandFormatName;
  facilityCode: number | null;
  cardNumber: number;
}

/** Why a Wiegand value could not be decoded or encoded. */
export type WiegandError = "unknown_size" | "size_mismatch" | "parity" | "out_of_range";

/** Result of {@link decodeWiegand}: the credential, or a typed error with a readable detail. */
export type WiegandDecodeResult =
  | ({ ok: true } & WiegandCredential)
  | { ok: false; error: WiegandError; detail: string };

/** Result of {@link encodeWiegand}: the bits on the wire, or a typed error. */
export type WiegandEncodeResult =
  | { ok: true; value: bigint; bits: number }
  | { ok: false; error: WiegandError; detail: string };

interface ParityBit {
  /** Position of the parity bit. */
  pos: number;
  kind: "even" | "odd";
  /** Positions the parity bit covers (not including itself). */
  over: readonly number[];
}

interface FormatSpec {
  bits: number;
  /** [first position, length] of the facility code, or null. */
  fc: readonly [number, number] | null;
  cn: readonly [number, number];
  /** In computation order: a parity bit that covers other parity bits comes after them. */
  parity: readonly ParityBit[];
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Two-parity-bit layout: even over the first half of the data, odd over the second half. */
function halves(bits: number, evenTo: number, oddFrom: number): ParityBit[] {
  return [
    { pos: 1, kind: "even", over: range(2, evenTo) },
    { pos: bits, kind: "odd", over: range(oddFrom, bits - 1) },
  ];
}

/**
 * Corporate 1000 layouts (35 and 48 bits) as proxmark3 packs them (`Pack_C1k35s`, `Pack_C1k48s` in
 * client/src/wiegand_formats.c). The coverage repeats every three bits counted back from the last
 * one (distance d = bits − position): bit 2 is even parity over positions 3… with d mod 3 ≠ 0, the
 * last bit odd parity over positions 2… with d mod 3 ≠ 1, and bit 1 odd parity over all other bits
 * (so it is computed last). C1k48: bit 2 over 4,5,7,8…46,47 and bit 48 over 3,4,6,7…45,46; C1k35:
 * bit 2 over 3,4,6,7…33,34 and bit 35 over 2,3,5,6…32,33.
 */
function corporate1000(bits: number): ParityBit[] {
  const fromEnd = (p: number) => (bits - p) % 3;
  return [
    { pos: 2, kind: "even", over: range(3, bits - 1).filter((p) => fromEnd(p) !== 0) },
    { pos: bits, kind: "odd", over: range(2, bits - 1).filter((p) => fromEnd(p) !== 1) },
    { pos: 1, kind: "odd", over: range(2, bits) },
  ];
}

const FORMATS: Record<WiegandFormatName, FormatSpec> = {
  H10301: { bits: 26, fc: [2, 8], cn: [10, 16], parity: halves(26, 13, 14) },
  H10306: { bits: 34, fc: [2, 16], cn: [18, 16], parity: halves(34, 17, 18) },
  C1k35: { bits: 35, fc: [3, 12], cn: [15, 20], parity: corporate1000(35) },
  C1k48: { bits: 48, fc: [3, 22], cn: [25, 23], parity: corporate1000(48) },
  // H10304 and H10302: the two parity halves share bit 19, as on the HID sheet.
  H10304: { bits: 37, fc: [2, 16], cn: [18, 19], parity: halves(37, 19, 19) },
  H10302: { bits: 37, fc: null, cn: [2, 35], parity: halves(37, 19, 19) },
};

/** Every supported format name, in a stable order. */
export const wiegandFormats: readonly WiegandFormatName[] = Object.keys(FORMATS) as WiegandFormatName[];

/** The default format for a bit count; 37 bits means H10304 unless H10302 is asked for. */
export function formatForSize(bits: number): WiegandFormatName | null {
  switch (bits) {
    case 26:
      return "H10301";
    case 34:
      return "H10306";
    case 35:
      return "C1k35";
    case 37:
      return "H10304";
    case 48:
      return "C1k48";
    default:
      return null;
  }
}

/** Total bits on the wire for a format, parity included. */
export function wiegandSize(format: WiegandFormatName): number {
  return FORMATS[format].bits;
}

/** Largest facility code (null when the format has none) and card number a format can carry. */
export function wiegandLimits(format: WiegandFormatName): {
  facilityCode: number | null;
  cardNumber: number;
} {
  const f = FORMATS[format];
  return { facilityCode: f.fc ? 2 ** f.fc[1] - 1 : null, cardNumber: 2 ** f.cn[1] - 1 };
}

function bitAt(value: bigint, bits: number, pos: number): number {
  return Number((value >> BigInt(bits - pos)) & 1n);
}

function field(value: bigint, bits: number, [start, len]: readonly [number, number]): number {
  return Number((value >> BigInt(bits - (start + len - 1))) & ((1n << BigInt(len)) - 1n));
}

function parityValue(value: bigint, bits: number, p: ParityBit): number {
  let ones = 0;
  for (const pos of p.over) ones += bitAt(value, bits, pos);
  // The parity bit makes the count of ones even (even parity) or odd (odd parity).
  return p.kind === "even" ? ones & 1 : (ones & 1) ^ 1;
}

/**
 * Decodes `bits` Wiegand bits held in `value` (first bit on the wire = most significant);
 * the format defaults to {@link formatForSize}. Never throws.
 */
export function decodeWiegand(value: bigint, bits: number, format?: WiegandFormatName): WiegandDecodeResult {
  const name = format ?? formatForSize(bits);
  if (name === null)
    return { ok: false, error: "unknown_size", detail: `no Wiegand format has ${bits} bits` };
  const spec = FORMATS[name];
  if (spec.bits !== bits) {
    return { ok: false, error: "size_mismatch", detail: `${name} has ${spec.bits} bits, got ${bits}` };
  }
  if (value < 0n || value >> BigInt(bits) !== 0n) {
    return { ok: false, error: "out_of_range", detail: `value does not fit in ${bits} bits` };
  }
  for (const p of spec.parity) {
    if (parityValue(value, bits, p) !== bitAt(value, bits, p.pos)) {
      return { ok: false, error: "parity", detail: `${name}: ${p.kind} parity bit ${p.pos} is wrong` };
    }
  }
  return {
    ok: true,
    format: name,
    facilityCode: spec.fc ? field(value, bits, spec.fc) : null,
    cardNumber: field(value, bits, spec.cn),
  };
}

function checkRange(name: string, n: number | null, max: number | null): string | null {
  if (max === null) return n === null || n === 0 ? null : `${name} not allowed in this format`;
  if (n === null || !Number.isSafeInteger(n) || n < 0 || n > max)
    return `${name} must be 0..${max}, got ${n}`;
  return null;
}

/** Encodes a credential into Wiegand bits with correct parity (for the simulator and tests). */
export function encodeWiegand(
  format: WiegandFormatName,
  facilityCode: number | null,
  cardNumber: number,
): WiegandEncodeResult {
  const spec = FORMATS[format];
  const limits = wiegandLimits(format);
  const wrong =
    checkRange("facility code", facilityCode, limits.facilityCode) ??
    checkRange("card number", cardNumber, limits.cardNumber);
  if (wrong) return { ok: false, error: "out_of_range", detail: `${format}: ${wrong}` };
  const bits = spec.bits;
  const put = (v: bigint, [start, len]: readonly [number, number], n: number): bigint =>
    v | (BigInt(n) << BigInt(bits - (start + len - 1)));
  let value = put(0n, spec.cn, cardNumber);
  if (spec.fc && facilityCode !== null) value = put(value, spec.fc, facilityCode);
  for (const p of spec.parity) {
    if (parityValue(value, bits, p) === 1) value |= 1n << BigInt(bits - p.pos);
  }
  return { ok: true, value, bits };
}

/**
 * The data bits of a full Wiegand value with its parity bits taken out, in wire order: the value
 * Tasmota publishes as `UID`, so a card gives the same number whichever way it reached the gateway.
 */
export function wiegandData(format: WiegandFormatName, value: bigint): bigint {
  const spec = FORMATS[format];
  const parityPositions = new Set(spec.parity.map((p) => p.pos));
  let data = 0n;
  for (let pos = 1; pos <= spec.bits; pos++)
    if (!parityPositions.has(pos)) data = (data << 1n) | BigInt(bitAt(value, spec.bits, pos));
  return data;
}

/**
 * Splits Wiegand data that already had its parity bits removed (Tasmota's `UID`) into facility
 * code and card number, for a format's layout. No parity can be checked.
 */
export function splitWiegandData(format: WiegandFormatName, data: bigint): WiegandDecodeResult {
  const spec = FORMATS[format];
  const dataBits = spec.bits - spec.parity.length;
  if (data < 0n || data >> BigInt(dataBits) !== 0n) {
    return { ok: false, error: "out_of_range", detail: `${format} data does not fit in ${dataBits} bits` };
  }
  // Re-insert zero parity bits so the field positions of the full layout apply.
  const parityPositions = new Set(spec.parity.map((p) => p.pos));
  let full = 0n;
  let next = dataBits - 1;
  for (let pos = 1; pos <= spec.bits; pos++) {
    full <<= 1n;
    if (!parityPositions.has(pos)) full |= (data >> BigInt(next--)) & 1n;
  }
  return {
    ok: true,
    format,
    facilityCode: spec.fc ? field(full, spec.bits, spec.fc) : null,
    cardNumber: field(full, spec.bits, spec.cn),
  };
}

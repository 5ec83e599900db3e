/**
 * A card presented at a simulated OSDP PD, as its RAW reply carries it: a Wiegand read built with
 * the gateway's own Wiegand encoder (so parity and field layout are the real ones), or raw bits a
 * technician types in hex. The bits go first bit first, left-aligned in whole bytes, as libosdp's
 * PD sends them (26-bit H10301 123:4567 is `bd 88 eb 80`).
 */
import { AccessGwError } from "../../config/errors.js";
import { encodeWiegand, type WiegandFormatName, wiegandFormats } from "../../drivers/codecs/wiegand.js";
import { RAW_FORMAT } from "../../drivers/osdp/codes.js";
import type { OsdpReply } from "../../drivers/osdp/replies.js";

/** A card format at the PD: a Wiegand format name, or `raw` (hex bits). */
export type PdCardFormat = WiegandFormatName | "raw";

/** Every format a card can be presented in. */
export const PD_CARD_FORMATS: readonly PdCardFormat[] = [...wiegandFormats, "raw"];

/** The RAW reply for one card read. */
export type RawRead = Extract<OsdpReply, { kind: "raw" }>;

/**
 * The RAW read of `card`: `FC:CN` or `CN` (facility 0) in a Wiegand format, or hex digits with
 * `bits` (default: 4 per digit) for `raw`. Throws USAGE naming the device and what is wrong.
 */
export function rawCardRead(deviceId: string, card: string, format: PdCardFormat, bits?: number): RawRead {
  if (format === "raw") return rawBits(deviceId, card, bits);
  const match = /^\s*(?:(\d{1,9}):)?(\d{1,12})\s*$/.exec(card);
  if (match === null)
    throw new AccessGwError(
      "USAGE",
      `${deviceId}: "${card}" is not a ${format} card (expected FC:CN such as 123:4567, or a card number)`,
    );
  const encoded = encodeWiegand(format, Number(match[1] ?? 0), Number(match[2]));
  if (!encoded.ok) throw new AccessGwError("USAGE", `${deviceId}: ${encoded.detail}`);
  return raw(encoded.value, encoded.bits, RAW_FORMAT.WIEGAND);
}

function rawBits(deviceId: string, card: string, bits: number | undefined): RawRead {
  const hex = card.trim().replace(/^0x/i, "");
  if (!/^[0-9a-f]+$/i.test(hex))
    throw new AccessGwError("USAGE", `${deviceId}: raw card "${card}" is not hex digits`);
  const count = bits ?? hex.length * 4;
  if (!Number.isInteger(count) || count < 1 || count > hex.length * 4 || count > 512)
    throw new AccessGwError(
      "USAGE",
      `${deviceId}: ${count} bits do not fit in the ${hex.length * 4} bits of "${card}"`,
    );
  // The value is the hex read as a number; its low `count` bits are the card's bits.
  const value = BigInt(`0x${hex}`) & ((1n << BigInt(count)) - 1n);
  return raw(value, count, RAW_FORMAT.UNSPECIFIED);
}

/** `bits` bits of `value` (first bit = most significant), left-aligned in whole bytes. */
function raw(value: bigint, bits: number, format: number): RawRead {
  const bytes = Math.ceil(bits / 8);
  let aligned = value << BigInt(bytes * 8 - bits);
  const data = new Uint8Array(bytes);
  for (let i = bytes - 1; i >= 0; i--) {
    data[i] = Number(aligned & 0xffn);
    aligned >>= 8n;
  }
  return { kind: "raw", reader: 0, format, bitCount: bits, data };
}

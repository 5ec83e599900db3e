/**
 * An OSDP RAW card read (osdp_RAW: a bit count and the bits, first bit on the wire the most
 * significant bit of the first byte) to the card number the gateway looks up. Wiegand formats go
 * through the same decoder (parity checked) and `cardNumber` conversion as Wiegand reads from
 * Tasmota, except `decimal`, which osdp.md makes the card number alone.
 */
import type { CardNumberMode } from "../../config/deviceLimits.js";
import type { OSDP_CARD_FORMATS } from "../../config/osdp.js";
import { type RawRead, toCardNumber } from "../codecs/cardNumber.js";
import { bytesToBigInt } from "../codecs/hexText.js";
import { decodeWiegand, type WiegandError, wiegandData } from "../codecs/wiegand.js";
import type { ReaderRejectCode } from "../readers/readerDriver.js";

/** A reader's `cardFormat`: `auto`, `raw`, or a Wiegand format name. */
export type OsdpCardFormat = (typeof OSDP_CARD_FORMATS)[number];

/** One RAW card read as the PD reported it. */
export interface OsdpCardRead {
  /** How many bits the card gave. */
  bits: number;
  /** The bits, most significant first, the last byte padded at its end. */
  data: Uint8Array;
}

/** The card number, or why the read is dropped (the reader counts rejects by `error`). */
export type OsdpCardResult =
  | { ok: true; card: string }
  | { ok: false; error: ReaderRejectCode; detail: string };

const WIEGAND_REJECT: Record<WiegandError, ReaderRejectCode> = {
  parity: "bad_parity",
  unknown_size: "bad_format",
  size_mismatch: "bad_format",
  out_of_range: "bad_format",
};

/** The read's bits as a number: the data bytes without the padding after the last bit. */
function readValue(read: OsdpCardRead): { ok: true; value: bigint } | { ok: false; detail: string } {
  if (!Number.isInteger(read.bits) || read.bits <= 0)
    return { ok: false, detail: `a card read of ${read.bits} bits` };
  const bytes = Math.ceil(read.bits / 8);
  if (read.data.length !== bytes)
    return {
      ok: false,
      detail: `${read.bits} bits take ${bytes} bytes, the read has ${read.data.length}`,
    };
  return { ok: true, value: bytesToBigInt(read.data) >> BigInt(bytes * 8 - read.bits) };
}

/** The Wiegand credential in the read, as a {@link RawRead} the `cardNumber` conversion takes. */
function wiegandRead(
  value: bigint,
  bits: number,
  cardFormat: Exclude<OsdpCardFormat, "raw">,
): RawRead | OsdpCardResult {
  const decoded = decodeWiegand(value, bits, cardFormat === "auto" ? undefined : cardFormat);
  if (!decoded.ok) {
    const hint = decoded.error === "unknown_size" ? " (cardFormat: raw takes any bit count)" : "";
    return { ok: false, error: WIEGAND_REJECT[decoded.error], detail: `${decoded.detail}${hint}` };
  }
  const data = wiegandData(decoded.format, value);
  // As-is, a Wiegand read is its data bits in decimal, as Tasmota prints the same card.
  return {
    kind: "wiegand",
    text: data.toString(10),
    format: decoded.format,
    facilityCode: decoded.facilityCode,
    cardNumber: decoded.cardNumber,
    data,
  };
}

/**
 * The card number of a RAW read for a reader's `cardFormat` and `cardNumber`: `auto` decodes the
 * Wiegand format the bit count names, a format name decodes that format (its size must match), and
 * `raw` takes the bits as upper-case hex with leading zeros to whole bytes (26 bits `bd 88 eb 80`
 * → `02F623AE`). Never throws.
 */
export function osdpCardNumber(
  read: OsdpCardRead,
  cardFormat: OsdpCardFormat,
  cardNumber: CardNumberMode,
): OsdpCardResult {
  const value = readValue(read);
  if (!value.ok) return { ok: false, error: "bad_format", detail: value.detail };
  let raw: RawRead | OsdpCardResult;
  if (cardFormat === "raw") {
    const text = value.value
      .toString(16)
      .toUpperCase()
      .padStart(Math.ceil(read.bits / 8) * 2, "0");
    raw = { kind: "hex", text };
  } else raw = wiegandRead(value.value, read.bits, cardFormat);
  if ("ok" in raw) return raw;
  // osdp.md: through an OSDP reader `decimal` is the card number alone (123:4567 → 4567), where
  // a Tasmota Wiegand reader's decimal is its data bits (8065495): `wiegand-fc-cn` is the same on both.
  if (cardNumber === "decimal" && raw.kind === "wiegand") return { ok: true, card: `${raw.cardNumber}` };
  const converted = toCardNumber(raw, cardNumber);
  return converted.ok ? converted : { ok: false, error: "unsupported", detail: converted.detail };
}

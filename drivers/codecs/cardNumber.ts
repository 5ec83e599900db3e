/**
 * Per-reader `cardNumber` conversion: from what a reader delivered (a {@link RawRead}) to the
 * card number string the gateway looks up. The gateway canonicalises further (R1: trim,
 * upper-case, strip leading zeros of all-digit strings), so these strings need not be canonical.
 */
import type { CardNumberMode } from "../../config/deviceLimits.js";
import type { WiegandFormatName } from "./wiegand.js";

/**
 * One read as the reader delivered it. `text` is always the reader's own spelling of it.
 * - `hex`: a UID or tag in hex digits (PN532, RDM6300, esp-rfid, serial `hex`).
 * - `decimal`: a number in decimal digits (serial `decimal`, JSON numbers).
 * - `wiegand`: a decoded Wiegand credential; `data` is the value with parity bits removed.
 * - `fc-cn`: a facility code and card number from a serial `fc-cn` line (no bit sizes known).
 * - `text`: anything else (a JSON string that is not hex); only `as-is` accepts it.
 */
export type RawRead =
  | { kind: "hex"; text: string }
  | { kind: "decimal"; text: string }
  | {
      kind: "wiegand";
      text: string;
      format: WiegandFormatName;
      facilityCode: number | null;
      cardNumber: number;
      data: bigint;
    }
  | { kind: "fc-cn"; text: string; facilityCode: number; cardNumber: number }
  | { kind: "text"; text: string };

/** The card number, or why this read cannot be expressed in the reader's mode. */
export type CardNumberResult =
  | { ok: true; card: string }
  | { ok: false; error: "unsupported"; detail: string };

function unsupported(read: RawRead, mode: CardNumberMode): CardNumberResult {
  return { ok: false, error: "unsupported", detail: `a ${read.kind} read cannot be converted to ${mode}` };
}

/** The numeric value of a read, when it has a single one. */
function numericValue(read: RawRead): bigint | null {
  const s = read.text.trim();
  switch (read.kind) {
    case "hex":
      return /^[0-9A-Fa-f]+$/.test(s) ? BigInt(`0x${s}`) : null;
    case "decimal":
      return /^\d+$/.test(s) ? BigInt(s) : null;
    case "wiegand":
      return read.data;
    default:
      return null;
  }
}

/** An EM4100 tag is a version byte and a 32-bit number: at most 10 hex digits. */
const EM4100_MAX = (1n << 40n) - 1n;
const TAG_MASK = 0xffff_ffffn;

/** The 32-bit EM4100 tag number of a hex or decimal read, without its version byte. */
function em4100(read: RawRead): CardNumberResult {
  const value = read.kind === "hex" || read.kind === "decimal" ? numericValue(read) : null;
  if (value === null) return unsupported(read, "em4100");
  if (value > EM4100_MAX) {
    return {
      ok: false,
      error: "unsupported",
      detail: "not an EM4100 tag: more than 10 hex digits (a version byte and a 32-bit number)",
    };
  }
  const tag = value & TAG_MASK;
  if (tag === 0n) return { ok: false, error: "unsupported", detail: "tag 00000000 is not a card" };
  return { ok: true, card: tag.toString(10) };
}

/**
 * Converts a raw read to the card number for a reader's `cardNumber` mode:
 * - `as-is`: `text` unchanged (the gateway still trims and upper-cases it).
 * - `decimal`: the read's value in decimal without leading zeros ("008EC793" → "9357203";
 *   Wiegand → the data bits without parity, as Tasmota prints them).
 * - `hex`: the read's value in upper-case hex with leading zeros removed ("008EC793" → "8EC793",
 *   4215834 → "40541A"), so a card gives the same string whether the reader spoke hex or decimal.
 * - `wiegand-fc-cn`: "FC:CN" in decimal without padding ("123:4567"); just "CN" for formats
 *   without a facility code (H10302); also accepts serial `fc-cn` lines.
 * - `em4100`: the EM4100 tag's 32-bit number in decimal, without the version byte that some
 *   readers put in front (esp-rfid's "14008ec793" → "9357203"), so a fob gives the same number as
 *   on the rdm6300 driver and Tasmota's RDM6300 ("008EC793").
 */
export function toCardNumber(read: RawRead, mode: CardNumberMode): CardNumberResult {
  if (mode === "as-is") return { ok: true, card: read.text };
  if (mode === "em4100") return em4100(read);
  if (mode === "wiegand-fc-cn") {
    if (read.kind !== "wiegand" && read.kind !== "fc-cn") return unsupported(read, mode);
    const card =
      read.facilityCode === null ? `${read.cardNumber}` : `${read.facilityCode}:${read.cardNumber}`;
    return { ok: true, card };
  }
  const value = numericValue(read);
  if (value === null) return unsupported(read, mode);
  return { ok: true, card: mode === "decimal" ? value.toString(10) : value.toString(16).toUpperCase() };
}

/**
 * Text-line serial readers (USB keyboard-wedge style and TTL readers that print one card per
 * line). The caller splits on CR, LF or CRLF; this parses one line for the reader's format.
 * EM4100 readers that frame their ASCII output (ID-12LA, ID-20LA: STX, 12 hex digits, CR LF,
 * ETX) are read too: the line is STX and the digits, and the ETX begins the next line.
 */
import type { RawRead } from "./cardNumber.js";
import { allHexDigits, decodeEm4100Body, EM4100_BODY_LENGTH, ETX, STX } from "./rdm6300.js";

/** The line formats a serial reader can be configured with. */
export type SerialLineFormat = "decimal" | "hex" | "fc-cn";

/** Lines longer than this (in bytes, terminator excluded) are rejected as noise. */
export const maxLineBytes = 64;

/** Why a line was rejected. */
export type SerialLineError =
  | "empty"
  | "too_long"
  | "bad_characters"
  | "bad_format"
  | "bad_frame"
  | "bad_checksum"
  | "zero_tag";

/** A parsed line, or a typed rejection with a readable detail. */
export type SerialLineResult =
  | { ok: true; read: RawRead }
  | { ok: false; error: SerialLineError; detail: string };

const ALLOWED: Record<SerialLineFormat, RegExp> = {
  decimal: /^[0-9]+$/,
  hex: /^[0-9A-Fa-f]+$/,
  "fc-cn": /^[0-9: ]+$/,
};

function decodeAscii(line: Uint8Array): string | null {
  let s = "";
  for (const b of line) {
    if (b < 0x20 && b !== 0x09) return null;
    if (b > 0x7e) return null;
    s += String.fromCharCode(b);
  }
  return s;
}

/**
 * Parses one line (bytes or text, without its terminator). Surrounding spaces and tabs are
 * ignored. `hex` lines are upper-cased; `decimal` keeps its digits (leading zeros are the
 * gateway's business). Never throws.
 */
export function parseSerialLine(line: Uint8Array | string, format: SerialLineFormat): SerialLineResult {
  const bytes = typeof line === "string" ? new TextEncoder().encode(line) : line;
  if (bytes.length > maxLineBytes) {
    return {
      ok: false,
      error: "too_long",
      detail: `line has ${bytes.length} bytes, at most ${maxLineBytes}`,
    };
  }
  // The ETX that closed the previous framed read arrives at the start of this line.
  let start = 0;
  while (bytes[start] === ETX) start++;
  if (bytes[start] === STX) return parseEm4100Frame(bytes.subarray(start + 1));
  const ascii = decodeAscii(bytes);
  if (ascii === null) return { ok: false, error: "bad_characters", detail: "line has non-printable bytes" };
  const text = ascii.trim();
  if (text === "") return { ok: false, error: "empty", detail: "line is empty" };
  if (!ALLOWED[format].test(text)) {
    return { ok: false, error: "bad_characters", detail: `${JSON.stringify(text)} is not a ${format} line` };
  }
  if (format === "decimal") return { ok: true, read: { kind: "decimal", text } };
  if (format === "hex") return { ok: true, read: { kind: "hex", text: text.toUpperCase() } };
  // At most 15 digits each, so the numbers stay exact.
  const m = /^(\d{1,15})[: ](\d{1,15})$/.exec(text);
  if (!m?.[1] || !m[2]) {
    return {
      ok: false,
      error: "bad_format",
      detail: `expected "FC:CN" or "FC CN", got ${JSON.stringify(text)}`,
    };
  }
  const facilityCode = Number(m[1]);
  const cardNumber = Number(m[2]);
  return { ok: true, read: { kind: "fc-cn", text, facilityCode, cardNumber } };
}

/**
 * An ID-12LA / ID-20LA frame without its STX and CR LF ETX: 10 hex digits and 2 of checksum. The
 * card is the 32-bit tag in decimal, as the rdm6300 driver gives it (version byte dropped).
 */
function parseEm4100Frame(body: Uint8Array): SerialLineResult {
  if (body.length !== EM4100_BODY_LENGTH || !allHexDigits(body)) {
    return {
      ok: false,
      error: "bad_frame",
      detail: `expected 12 hex digits after STX (10 data, 2 checksum), found ${body.length} bytes`,
    };
  }
  const frame = decodeEm4100Body(body);
  if (frame.kind === "error") return { ok: false, error: frame.error, detail: frame.detail };
  return { ok: true, read: { kind: "decimal", text: frame.card } };
}

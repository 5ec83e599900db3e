/**
 * What a card reader's MQTT message means, and the parsers for readers without a vendor format:
 * JSON with a configured field path, and bare text payloads (ESPHome's documented examples).
 * Pure: payload in, a card read (or "ignored" / a typed error) out; bad input never throws.
 * Tasmota and esp-rfid have their own modules (tasmotaSensor.ts, espRfid.ts).
 */
import type { z } from "zod";
import type { RawRead } from "./cardNumber.js";

/**
 * Why a message was not a card (the reader counts rejects by this code); `bad_parity`: the device
 * reported a Wiegand parity error.
 */
export type ReaderMessageCode = "bad_format" | "bad_parity" | "bad_characters" | "empty";

/** What one MQTT message means for a reader. */
export type ReaderMessage =
  | { kind: "card"; raw: RawRead }
  /** R21: keypad keys as `0-9`, `*`, `#`. */
  | { kind: "keypad"; keys: string }
  | { kind: "ignored" }
  | { kind: "error"; code: ReaderMessageCode; error: string };

/** The message is not for this reader (another topic, another message type). */
export const IGNORED: ReaderMessage = { kind: "ignored" };

/** A message of the wrong shape (or another code), with what was expected. */
export function bad(error: string, code: ReaderMessageCode = "bad_format"): ReaderMessage {
  return { kind: "error", code, error };
}

/** The payload as UTF-8 text, or null when it is not valid UTF-8. */
export function payloadText(payload: Uint8Array | string): string | null {
  if (typeof payload === "string") return payload;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(payload);
  } catch {
    return null;
  }
}

/** Parses JSON text; never throws. */
export function parseJsonText(text: string | null): { ok: true; value: unknown } | { ok: false } {
  if (text === null) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** zod issues as one line naming each field. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => `${i.path.join(".") || "(payload)"}: ${i.message}`).join("; ");
}

const HEX = /^[0-9A-Fa-f]+$/;

/**
 * Parses a generic JSON payload, taking the card from the dot-separated `fieldPath`
 * (e.g. "card" or "data.uid"). A JSON number is a decimal read; a string of hex digits is a
 * hex read (so "1234" is hex: send a number for decimals); any other string is `text`.
 */
export function parseJsonReaderMessage(payload: Uint8Array | string, fieldPath: string): ReaderMessage {
  const json = parseJsonText(payloadText(payload));
  if (!json.ok) return bad("payload is not valid JSON");
  let value: unknown = json.value;
  for (const key of fieldPath.split(".")) {
    if (typeof value !== "object" || value === null || Array.isArray(value) || !Object.hasOwn(value, key)) {
      return bad(`field "${fieldPath}" is missing`);
    }
    value = (value as Record<string, unknown>)[key];
  }
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) return bad(`field "${fieldPath}" is not a card number`);
    return { kind: "card", raw: { kind: "decimal", text: String(value) } };
  }
  if (typeof value !== "string") return bad(`field "${fieldPath}" must be a string or number`);
  const text = value.trim();
  if (text === "") return bad(`field "${fieldPath}" is empty`);
  return { kind: "card", raw: { kind: HEX.test(text) ? "hex" : "text", text } };
}

/** Hex bytes with a separator, as ESPHome prints NFC UIDs: "74-10-37-94" (or "74:10:37:94"). */
const SEPARATED_HEX = /^[0-9A-Fa-f]{2}(?:([-:])[0-9A-Fa-f]{2})(?:\1[0-9A-Fa-f]{2})*$/;
/** Printable ASCII without control characters. */
const PRINTABLE = /^[\x20-\x7e]+$/;

/**
 * Parses a bare payload that is the card itself (ESPHome `payload: !lambda 'return x;'`):
 * decimal digits are a decimal read ("7616525", ESPHome's Wiegand tag); hex bytes joined by `-`
 * or `:` are a hex read without the separators ("74-10-37-94" → "74103794", ESPHome's NFC UID);
 * other hex digits are a hex read; any other printable text is a `text` read. Surrounding
 * whitespace is ignored.
 */
export function parseTextReaderMessage(payload: Uint8Array | string): ReaderMessage {
  const raw = payloadText(payload);
  if (raw === null) return bad("payload is not UTF-8 text", "bad_characters");
  const text = raw.trim();
  if (text === "") return bad("payload is empty", "empty");
  if (!PRINTABLE.test(text)) return bad("payload has non-printable characters", "bad_characters");
  if (/^\d+$/.test(text)) return { kind: "card", raw: { kind: "decimal", text } };
  if (SEPARATED_HEX.test(text)) {
    return { kind: "card", raw: { kind: "hex", text: text.replace(/[-:]/g, "").toUpperCase() } };
  }
  return { kind: "card", raw: { kind: HEX.test(text) ? "hex" : "text", text } };
}

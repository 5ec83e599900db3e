/**
 * Payload parsers for readers that publish over MQTT: Tasmota (PN532, RDM6300, Wiegand),
 * esp-rfid, and generic JSON with a configured field path. Pure: topic + payload in, a card
 * read (or "ignored" / a typed error) out; bad JSON never throws.
 */
import { z } from "zod";
import type { RawRead } from "./cardNumber.js";
import { formatForSize, splitWiegandData } from "./wiegand.js";

/** What one MQTT message means for a reader. */
export type ReaderMessage =
  | { kind: "card"; raw: RawRead }
  | { kind: "ignored" }
  | { kind: "error"; error: string };

const IGNORED: ReaderMessage = { kind: "ignored" };

function bad(error: string): ReaderMessage {
  return { kind: "error", error };
}

function parseJson(payload: Uint8Array | string): { ok: true; value: unknown } | { ok: false } {
  try {
    const text =
      typeof payload === "string" ? payload : new TextDecoder("utf-8", { fatal: true }).decode(payload);
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function describe(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => `${i.path.join(".") || "(payload)"}: ${i.message}`).join("; ");
}

const HEX_UID = z.string().regex(/^[0-9A-Fa-f]+$/, "expected a hex UID");

const tasmotaSensor = z.object({
  PN532: z.object({ UID: HEX_UID, DATA: z.string().optional(), Data: z.string().optional() }).optional(),
  RDM6300: z.object({ UID: HEX_UID }).optional(),
  Wiegand: z
    .object({
      UID: z.union([z.number().int().nonnegative(), z.string().regex(/^(\d+|0x[0-9A-Fa-f]+)$/)]),
      Size: z.number().int().positive(),
    })
    .optional(),
});

/** Wiegand sizes that carry keypad keys rather than cards. */
const KEYPAD_SIZES = new Set([4, 8]);

function tasmotaWiegand(uid: number | string, size: number): ReaderMessage {
  if (KEYPAD_SIZES.has(size)) return IGNORED;
  const format = formatForSize(size);
  if (format === null) return bad(`Wiegand.Size ${size} is not a supported card format`);
  const data = BigInt(uid);
  // Tasmota publishes the value with the parity bits already stripped.
  const split = splitWiegandData(format, data);
  if (!split.ok) return bad(`Wiegand.UID: ${split.detail}`);
  const { facilityCode, cardNumber } = split;
  return {
    kind: "card",
    raw: { kind: "wiegand", text: data.toString(10), format, facilityCode, cardNumber, data },
  };
}

/**
 * Parses a Tasmota message for the device `topic`: only `tele/<topic>/SENSOR` with a PN532,
 * RDM6300 or Wiegand section is a card; other topics and sensors are ignored.
 */
export function parseTasmotaMessage(
  topic: string,
  payload: Uint8Array | string,
  deviceTopic: string,
): ReaderMessage {
  if (topic !== `tele/${deviceTopic}/SENSOR`) return IGNORED;
  const json = parseJson(payload);
  if (!json.ok) return bad("payload is not valid JSON");
  const parsed = tasmotaSensor.safeParse(json.value);
  if (!parsed.success) return bad(describe(parsed.error.issues));
  const { PN532, RDM6300, Wiegand } = parsed.data;
  if (PN532) return { kind: "card", raw: { kind: "hex", text: PN532.UID } };
  if (RDM6300) return { kind: "card", raw: { kind: "hex", text: RDM6300.UID } };
  if (Wiegand) return tasmotaWiegand(Wiegand.UID, Wiegand.Size);
  return IGNORED;
}

const espRfidMessage = z.object({ type: z.string() });
const espRfidAccess = z.object({ uid: z.string().min(1), isKnown: z.unknown().optional() });

/**
 * Parses an esp-rfid message for the device `topic`: only `<topic>/send` with
 * `"type":"access"` is a card (its `uid` is hex); other types are ignored.
 */
export function parseEspRfidMessage(
  topic: string,
  payload: Uint8Array | string,
  deviceTopic: string,
): ReaderMessage {
  if (topic !== `${deviceTopic}/send`) return IGNORED;
  const json = parseJson(payload);
  if (!json.ok) return bad("payload is not valid JSON");
  const head = espRfidMessage.safeParse(json.value);
  if (!head.success) return bad(describe(head.error.issues));
  if (head.data.type !== "access") return IGNORED;
  const access = espRfidAccess.safeParse(json.value);
  if (!access.success) return bad(describe(access.error.issues));
  const uid = access.data.uid.trim();
  const kind = /^[0-9A-Fa-f]+$/.test(uid) ? "hex" : "text";
  return { kind: "card", raw: { kind, text: uid } };
}

/**
 * Parses a generic JSON payload, taking the card from the dot-separated `fieldPath`
 * (e.g. "card" or "data.uid"). A JSON number is a decimal read; a string of hex digits is a
 * hex read (so "1234" is hex: send a number for decimals); any other string is `text`.
 */
export function parseJsonReaderMessage(payload: Uint8Array | string, fieldPath: string): ReaderMessage {
  const json = parseJson(payload);
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
  return { kind: "card", raw: { kind: /^[0-9A-Fa-f]+$/.test(text) ? "hex" : "text", text } };
}

/**
 * Tasmota's card reader drivers (PN532, MFRC522, RDM6300, Wiegand) as they publish on
 * `tele/<topic>/SENSOR`. Pure: topic + payload in, a card read or keypad keys (or "ignored" / a
 * typed error) out; bad JSON never throws.
 */
import { z } from "zod";
import {
  bad,
  describeIssues,
  IGNORED,
  parseJsonText,
  payloadText,
  type ReaderMessage,
} from "./mqttReaders.js";
import { formatForSize, splitWiegandData } from "./wiegand.js";

const HEX_UID = z.string().regex(/^[0-9A-Fa-f]+$/, "expected a hex UID");

/**
 * A Wiegand UID: a decimal number (the default), "0x…" hex, or hex with a trailing "h" as
 * `SetOption123 1` prints it ("3110D8h").
 */
const WIEGAND_UID = z.union([
  z.number().int().nonnegative(),
  z.string().regex(/^(\d+|0x[0-9A-Fa-f]+|[0-9A-Fa-f]+h)$/i, 'expected a number, "0x…" or hex ending in "h"'),
]);

const tasmotaSensor = z.object({
  PN532: z.object({ UID: HEX_UID, DATA: z.string().optional(), Data: z.string().optional() }).optional(),
  /** Tasmota's MFRC522 driver (xsns_80): `"RC522":{"UID":"…","Data":"…","Type":"…"}`. */
  RC522: z.object({ UID: HEX_UID }).optional(),
  RDM6300: z.object({ UID: HEX_UID }).optional(),
  Wiegand: z.object({ UID: WIEGAND_UID, Size: z.number().int().positive() }).optional(),
});

/** Wiegand sizes that carry keypad keys rather than cards. */
const KEYPAD_SIZES = new Set([4, 8]);

/**
 * R21: Wiegand keypads send one key per 4-bit frame (8-bit: the key and its complement, which
 * Tasmota checks and drops when wrong): 0–9 the digits, 10 `*` and 11 `#`.
 */
const KEYPAD_KEYS = "0123456789*#";

/**
 * R21: a key from a 4- or 8-bit frame. Tasmota publishes each key alone only with `SetOption124 1`;
 * by default it buffers digits up to `*` or `#` and publishes them as one decimal number, which loses
 * leading zeros and which end key was pressed, so that form is refused with the fix.
 */
function tasmotaKey(value: bigint, size: number): ReaderMessage {
  const key = value < BigInt(KEYPAD_KEYS.length) ? KEYPAD_KEYS[Number(value)] : undefined;
  if (key !== undefined) return { kind: "keypad", keys: key };
  if (value <= 15n)
    return bad(`Wiegand keypad value ${value} (Size ${size}) is no key: expected 0–9, 10 (*) or 11 (#)`);
  // Not the value: it is the digits typed, perhaps a PIN, and this detail is logged.
  return bad(
    `Wiegand keypad frame (Size ${size}) holds several keys: set SetOption124 1 on the Tasmota device so it publishes each key`,
  );
}

/** The value of a Wiegand UID as Tasmota prints it. */
function wiegandValue(uid: number | string): bigint {
  if (typeof uid === "number") return BigInt(uid);
  return /h$/i.test(uid) ? BigInt(`0x${uid.slice(0, -1)}`) : BigInt(uid);
}

function tasmotaWiegand(uid: number | string, size: number): ReaderMessage {
  if (KEYPAD_SIZES.has(size)) return tasmotaKey(wiegandValue(uid), size);
  const format = formatForSize(size);
  if (format === null) return bad(`Wiegand.Size ${size} is not a supported card format`);
  const data = wiegandValue(uid);
  // Tasmota's driver sets the value to 0 on a parity error and still publishes it.
  if (data === 0n)
    return bad(`Wiegand UID 0 (Size ${size}): Tasmota reports a parity error this way`, "bad_parity");
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
 * Older firmware prints `SetOption123 1` UIDs unquoted (`"UID":3110D8h`), which is not JSON:
 * quote exactly that value so the rest of the payload still has to be valid JSON.
 */
function quoteBareHexUid(text: string): string {
  return text.replace(/("UID"\s*:\s*)([0-9A-Fa-f]+h)(?=\s*[,}])/, '$1"$2"');
}

/**
 * Parses a Tasmota message for the device `topic`: only `tele/<topic>/SENSOR` with a PN532,
 * RC522 (MFRC522), RDM6300 or Wiegand section is a card (a 4- or 8-bit Wiegand frame a keypad key);
 * other topics and sensors are ignored.
 */
export function parseTasmotaMessage(
  topic: string,
  payload: Uint8Array | string,
  deviceTopic: string,
): ReaderMessage {
  if (topic !== `tele/${deviceTopic}/SENSOR`) return IGNORED;
  const text = payloadText(payload);
  let json = parseJsonText(text);
  if (!json.ok && text !== null) json = parseJsonText(quoteBareHexUid(text));
  if (!json.ok) return bad("payload is not valid JSON");
  const parsed = tasmotaSensor.safeParse(json.value);
  if (!parsed.success) return bad(describeIssues(parsed.error.issues));
  const { PN532, RC522, RDM6300, Wiegand } = parsed.data;
  if (PN532) return { kind: "card", raw: { kind: "hex", text: PN532.UID } };
  if (RC522) return { kind: "card", raw: { kind: "hex", text: RC522.UID } };
  if (RDM6300) return { kind: "card", raw: { kind: "hex", text: RDM6300.UID } };
  if (Wiegand) return tasmotaWiegand(Wiegand.UID, Wiegand.Size);
  return IGNORED;
}

/**
 * esp-rfid door controllers (esprfid/esp-rfid firmware) as MQTT card readers. Pure: topic +
 * payload in, a card read (or "ignored" / a typed error) out; bad JSON never throws.
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
  const json = parseJsonText(payloadText(payload));
  if (!json.ok) return bad("payload is not valid JSON");
  const head = espRfidMessage.safeParse(json.value);
  if (!head.success) return bad(describeIssues(head.error.issues));
  if (head.data.type !== "access") return IGNORED;
  const access = espRfidAccess.safeParse(json.value);
  if (!access.success) return bad(describeIssues(access.error.issues));
  const uid = access.data.uid.trim();
  const kind = /^[0-9A-Fa-f]+$/.test(uid) ? "hex" : "text";
  return { kind: "card", raw: { kind, text: uid } };
}

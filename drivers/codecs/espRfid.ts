/**
 * esp-rfid door controllers (esprfid/esp-rfid firmware) as MQTT card readers. Where a scan is
 * published depends on the firmware (see its src/mqtt.esp): 2.x sends `{"type":"access",…}` on
 * `<topic>/send`; 2.x with Home Assistant enabled sends `{"uid":…,"username":…}` without `type` on
 * `<topic>/tag`; 1.0.x sends `{"type":"access",…}` on the bare `<topic>`. A device publishes scans
 * on one of them only, so listening on all three reads every firmware once. Pure: topic + payload
 * in, a card read (or "ignored" / a typed error) out; bad JSON never throws.
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
const espRfidAccess = z.object({ uid: z.string().min(1) });

/** The topics an esp-rfid device with base topic `deviceTopic` publishes scans on. */
export function espRfidTopics(deviceTopic: string): string[] {
  return [`${deviceTopic}/send`, `${deviceTopic}/tag`, deviceTopic];
}

/**
 * Parses an esp-rfid message for the device `topic`: on `<topic>/send` and the bare `<topic>`
 * only `"type":"access"` is a card (other types are ignored); on `<topic>/tag` every message is
 * one. The `uid` is hex for PN532, MFRC522 and RDM6300 readers; other topics are ignored.
 */
export function parseEspRfidMessage(
  topic: string,
  payload: Uint8Array | string,
  deviceTopic: string,
): ReaderMessage {
  const typed = topic === `${deviceTopic}/send` || topic === deviceTopic;
  if (!typed && topic !== `${deviceTopic}/tag`) return IGNORED;
  const json = parseJsonText(payloadText(payload));
  if (!json.ok) return bad("payload is not valid JSON");
  if (typed) {
    const head = espRfidMessage.safeParse(json.value);
    if (!head.success) return bad(describeIssues(head.error.issues));
    if (head.data.type !== "access") return IGNORED;
  }
  const access = espRfidAccess.safeParse(json.value);
  if (!access.success) return bad(describeIssues(access.error.issues));
  const uid = access.data.uid.trim();
  const kind = /^[0-9A-Fa-f]+$/.test(uid) ? "hex" : "text";
  return { kind: "card", raw: { kind, text: uid } };
}

/**
 * doors.md D6: what each kind of reader is sent after a decision, as pure functions (topics and
 * payloads for MQTT devices, the bytes of a reply line for serial ones), testable without a device.
 */
import type { SerialReply } from "../../config/gateway.js";
import type { ReaderFeedback } from "../readers/readerDriver.js";

/** One MQTT message to publish. */
export interface FeedbackMessage {
  topic: string;
  payload: string;
}

/** Tasmota's `Buzzer <count>`: one 100 ms beep for a grant, three for a deny or an undone grant. */
export function tasmotaBuzzer(f: ReaderFeedback): string {
  return f.decision === "grant" && !f.undone ? "1" : "3";
}

/**
 * The Tasmota messages for a decision: the buzzer always, the message on the display when the
 * reader has one (`[z]` clears the screen first; brackets in the text would be display commands).
 */
export function tasmotaFeedback(topic: string, f: ReaderFeedback, display: boolean): FeedbackMessage[] {
  const out = [{ topic: `cmnd/${topic}/Buzzer`, payload: tasmotaBuzzer(f) }];
  if (display) {
    const text = oneLine(f.message).replace(/\[/g, "(").replace(/\]/g, ")");
    out.push({ topic: `cmnd/${topic}/DisplayText`, payload: `[z]${text}` });
  }
  return out;
}

/** The mqtt-json feedback payload (docs/mqtt-drivers.md): `{decision, reason, message, undone}`. */
export function jsonFeedback(f: ReaderFeedback): string {
  return JSON.stringify({ decision: f.decision, reason: f.reason, message: f.message, undone: f.undone });
}

const ENDINGS: Record<SerialReply["lineEnding"], string> = { cr: "\r", lf: "\n", crlf: "\r\n" };

/** The serial-line reply: the template for the outcome, filled in, with the reader's line ending. */
export function replyLine(reply: SerialReply, f: ReaderFeedback): Uint8Array {
  const granted = f.decision === "grant" && !f.undone;
  const template = (granted ? reply.grant : reply.deny) ?? reply.line;
  const values: Record<string, string> = {
    decision: granted ? "grant" : "deny",
    reason: f.reason,
    message: oneLine(f.message),
  };
  const text = template.replace(/\{(decision|reason|message)\}/g, (_, name: string) => values[name] ?? "");
  const line = `${reply.charset === "ascii" ? toAscii(text) : text}${ENDINGS[reply.lineEnding]}`;
  return new TextEncoder().encode(line);
}

/** Control characters (a line break in a staff-written block message) become spaces. */
export function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
  return text.replace(/[\u0000-\u001f\u007f]+/g, " ");
}

/** Accents dropped (è → e, ß → ss), dashes as `-`, anything else outside ASCII as `?`. */
export function toAscii(text: string): string {
  return text
    .replace(/ß/g, "ss")
    .replace(/[—–]/g, "-")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^\x20-\x7e]/g, "?");
}

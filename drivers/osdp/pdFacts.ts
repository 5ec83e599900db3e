/**
 * Small facts the control panel's state machine reads: the next sequence number, what a PDCAP
 * says in the terms the gateway uses, what an answer to POLL means, a reply code's name for
 * reports, and zeroed counters.
 */
import { CAPABILITY, REPLY } from "./codes.js";
import type { PdCapabilities, PdCounters, PdEvent } from "./cpTypes.js";
import { hex } from "./packet.js";
import { type Capability, findCapability, type OsdpReply, receiveBufferSize } from "./replies.js";

/** The number after `sequence`: 0 starts afresh and is never used again until a restart (1, 2, 3, 1…). */
export function nextSequence(sequence: number): number {
  return sequence >= 3 ? 1 : sequence + 1;
}

/** A PDCAP's records as the gateway uses them. */
export function capabilitiesOf(records: Capability[]): PdCapabilities {
  const compliance = (code: number) => findCapability(records, code)?.compliance ?? 0;
  const items = (code: number) => findCapability(records, code)?.items ?? 0;
  return {
    records,
    // docs/osdp.md: compliance 0, or no record at all, means no display.
    display: compliance(CAPABILITY.READER_TEXT) > 0,
    outputs: items(CAPABILITY.OUTPUT_CONTROL),
    leds: items(CAPABILITY.READER_LED),
    buzzer: compliance(CAPABILITY.READER_AUDIBLE) > 0,
    receiveBuffer: receiveBufferSize(records),
  };
}

const REPLY_NAMES = new Map<number, string>(
  Object.entries(REPLY).map(([name, code]) => [code, name.toLowerCase()]),
);

/** A reply code's name ("raw", "ack"…), or its hex for a code the gateway does not know. */
export function replyName(code: number): string {
  return REPLY_NAMES.get(code) ?? `reply ${hex(code)}`;
}

/**
 * What a refused reply was, as the readers count it: a card read ("card") or keys ("keypad") by
 * what they carry, anything else by the reply's name.
 */
export function refusedWhat(code: number): string {
  if (code === REPLY.RAW) return "card";
  if (code === REPLY.KEYPAD) return "keypad";
  return replyName(code);
}

/** Counters at zero. */
export function emptyCounters(): PdCounters {
  return {
    sent: 0,
    replies: 0,
    bytes: 0,
    timeouts: 0,
    resends: 0,
    busy: 0,
    naks: 0,
    rejected: 0,
    staleReplies: 0,
    wentOffline: 0,
    handshakes: 0,
  };
}

/** What an answer to POLL means: an event to report, a refusal, the local status, or nothing. */
export type PollOutcome =
  | { kind: "event"; event: PdEvent }
  | { kind: "refused"; what: string; code: string; message: string }
  | { kind: "local"; tamper: boolean; powerFailure: boolean };

/** An answer to POLL read; `insecure`: the secure channel is required and not up, so inputs are refused. */
export function pollOutcome(
  address: number,
  reply: OsdpReply,
  insecure: boolean,
): PollOutcome | { kind: "none" } {
  switch (reply.kind) {
    case "raw":
    case "keypad": {
      const what = reply.kind === "raw" ? "card" : "keypad";
      if (insecure)
        return {
          kind: "refused",
          what,
          code: "SC_NOT_SECURED",
          message: "sent in clear while the secure channel is required: refused",
        };
      if (reply.kind === "keypad")
        return {
          kind: "event",
          event: { kind: "keypad", address, reader: reply.reader, digits: reply.digits },
        };
      const { reader, format, bitCount, data } = reply;
      return { kind: "event", event: { kind: "card", address, reader, format, bitCount, data } };
    }
    case "lstatr":
      return { kind: "local", tamper: reply.tamper, powerFailure: reply.power };
    case "ack":
    case "fmt": // deprecated: ignored
      return { kind: "none" };
    default:
      return {
        kind: "refused",
        what: "reply",
        code: "unexpected",
        message: `${reply.kind} in answer to POLL`,
      };
  }
}

/**
 * Small facts the control panel's state machine reads: the next sequence number, what a PDCAP
 * says in the terms the gateway uses, a reply code's name for reports, and zeroed counters.
 */
import { CAPABILITY, REPLY } from "./codes.js";
import type { PdCapabilities, PdCounters } from "./cpTypes.js";
import { hex } from "./packet.js";
import { type Capability, findCapability, receiveBufferSize } from "./replies.js";

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

/** Counters at zero. */
export function emptyCounters(): PdCounters {
  return {
    sent: 0,
    replies: 0,
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

/**
 * The lifecycle of one Modbus RTU request as a pure state machine: the driver feeds it received
 * bytes and a "timeout" event, and reads the outcome. No I/O and no timers in here; the driver owns
 * the port and arms the reply timeout.
 */
import { decodeReply, type ExceptionName, rtuFrameLength } from "../codecs/modbusRtu.js";

/** How a request ended. */
export type ExchangeOutcome =
  | { ok: true; data?: Uint8Array }
  | { ok: false; reason: "exception"; code: number; name: ExceptionName }
  | { ok: false; reason: "timeout"; received: number };

/** Waiting for the reply (bytes so far kept), or finished with an outcome. */
export type ExchangeState =
  | { phase: "awaiting"; request: Uint8Array; buffer: Uint8Array; discarded: number }
  | { phase: "done"; outcome: ExchangeOutcome; discarded: number };

/** What can happen to a request in flight. */
export type ExchangeEvent = { type: "bytes"; bytes: Uint8Array } | { type: "timeout" };

/** The state right after `request` was written. */
export function startExchange(request: Uint8Array): ExchangeState {
  return { phase: "awaiting", request, buffer: new Uint8Array(0), discarded: 0 };
}

/** Advances the exchange by one event; a finished exchange ignores further events. */
export function stepExchange(state: ExchangeState, event: ExchangeEvent): ExchangeState {
  if (state.phase === "done") return state;
  if (event.type === "timeout") {
    const outcome: ExchangeOutcome = { ok: false, reason: "timeout", received: state.buffer.length };
    return { phase: "done", outcome, discarded: state.discarded };
  }
  let buffer = concat(state.buffer, event.bytes);
  let discarded = state.discarded;
  for (;;) {
    const length = rtuFrameLength(buffer, state.request[1]);
    if (length === "need_more") break;
    if (length === "unknown") {
      // Not the start of a frame we can answer to: drop a byte and resync.
      buffer = buffer.subarray(1);
      discarded += 1;
      continue;
    }
    if (buffer.length < length) break;
    const reply = decodeReply(state.request, buffer.subarray(0, length));
    if (reply.ok) {
      const outcome: ExchangeOutcome =
        reply.data === undefined ? { ok: true } : { ok: true, data: reply.data };
      return { phase: "done", outcome, discarded };
    }
    if (reply.error === "exception") {
      const outcome: ExchangeOutcome = { ok: false, reason: "exception", code: reply.code, name: reply.name };
      return { phase: "done", outcome, discarded };
    }
    // A bad CRC may mean we are misaligned (drop one byte); a well-formed frame that answers
    // something else (another unit, a late echo) is dropped whole. Either way keep waiting.
    const drop = reply.error === "bad_crc" ? 1 : length;
    buffer = buffer.subarray(drop);
    discarded += drop;
  }
  return { phase: "awaiting", request: state.request, buffer: buffer.slice(), discarded };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * A decision event as a gateway publishes it (sync.md "Events"): Anna's free off-peak pool entry
 * with her swim card at gateway `g`, unless `more` says otherwise. The central's tests build their
 * batches from it; each parses it with the schema its path applies.
 */
import type { SyncEvent } from "../../config/protocol/events.js";
import { EventsMessage } from "../../config/protocol/payloads.js";

/** The raw event `g:seq` (unparsed): a free grant of Anna's pool entry, overridden by `more`. */
export function annaDecision(g: string, seq: number, more: Record<string, unknown> = {}) {
  return {
    kind: "decision",
    id: `${g}:${seq}`,
    seq,
    decision: "grant",
    reason: "ok",
    at: "2027-03-22T09:00:00.000Z",
    card: "1234567",
    memberId: "m-anna",
    area: "pool",
    direction: "in",
    readerId: null,
    multipackId: "mp-anna-swim",
    productId: "swim10",
    accessTypeId: "pool-offpeak",
    creditsDeducted: 0,
    creditsRemaining: 10,
    creditsTotal: 10,
    message: "Welcome Anna",
    trace: [],
    relayFailed: false,
    passed: null,
    operator: null,
    staffReason: null,
    ledger: [],
    ...more,
  };
}

/** The event as the central validates what arrives (an events batch of gateway `g`). */
export function parsedDecision(g: string, seq: number, more: Record<string, unknown> = {}): SyncEvent {
  return EventsMessage.parse({ gatewayId: g, events: [annaDecision(g, seq, more)] }).events[0] as SyncEvent;
}

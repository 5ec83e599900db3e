/**
 * A grant whose door never opened: the relay pulse failed after the event was committed (R14).
 * The member did not get in, so the grant's effects are undone and the event is marked for sync.
 */
import type { Store } from "./db.js";
import type { RecordedEvent } from "./events.js";
import { type UndoOutcome, undoGrant } from "./grantUndo.js";

/** What recordRelayFailure changed. */
export type RelayFailureOutcome = UndoOutcome;

/** The ledger id of the refund for a failed door pulse: the event id with `:refund`. */
export function refundId(eventId: string): string {
  return `${eventId}:refund`;
}

/**
 * In one transaction: refunds the credits taken (R16: a negative entry, never a deletion), marks
 * the visit undone (sync.md: sticky), clears presence when this event is the member's last movement there, marks the event
 * `relayFailed` (its pulse 'failed') and queues it again in the outbox so sync resends it. Doing it
 * twice changes nothing.
 */
export function recordRelayFailure(store: Store, event: RecordedEvent, now: number): RelayFailureOutcome {
  return undoGrant(store, event, now, {
    refundLedgerId: refundId(event.id),
    rewrite: (doc) => (doc.relayFailed || doc.passed === false ? null : { ...doc, relayFailed: true }),
  });
}

/**
 * A grant whose door never opened: the relay pulse failed after the event was committed (R14).
 * The member did not get in, so the grant's effects are undone and the event is marked for sync.
 */
import type { Store } from "./db.js";
import { decisionFromDoc, type RecordedEvent } from "./events.js";
import { mergeLedgerEntry } from "./importer.js";

/** What recordRelayFailure changed. */
export interface RelayFailureOutcome {
  /** Credits given back (0 when the grant cost nothing or was already refunded). */
  refunded: number;
  /** False when the event was already marked relay-failed (nothing changed). */
  marked: boolean;
}

/** The ledger id of the refund for a failed door pulse: the event id with `:refund`. */
export function refundId(eventId: string): string {
  return `${eventId}:refund`;
}

/**
 * In one transaction: refunds the credits taken (R16: a negative entry, never a deletion), removes
 * the visit, clears presence when this event is the member's last movement there, marks the event
 * `relayFailed` (its pulse 'failed') and queues it again in the outbox so sync resends it. Doing it
 * twice changes nothing.
 */
export function recordRelayFailure(store: Store, event: RecordedEvent, now: number): RelayFailureOutcome {
  return store.db
    .transaction((): RelayFailureOutcome => {
      const row = store.prepare("SELECT doc FROM events WHERE seq = ?").get(event.seq) as
        | { doc: string }
        | undefined;
      if (!row) return { refunded: 0, marked: false };
      const doc = decisionFromDoc(row.doc);
      if (doc.relayFailed) return { refunded: 0, marked: false };
      let refunded = 0;
      if (event.memberId && event.multipackId && event.productId && event.creditsDeducted > 0) {
        const added = mergeLedgerEntry(
          store,
          event.memberId,
          event.multipackId,
          event.productId,
          {
            id: refundId(event.id),
            amount: -event.creditsDeducted,
            at: new Date(now).toISOString(),
            area: event.area,
            kind: "refund",
          },
          "local",
        );
        if (added) refunded = event.creditsDeducted;
      }
      const at = Date.parse(event.at);
      if (event.memberId) {
        store
          .prepare("DELETE FROM visits WHERE member_id = ? AND at = ? AND id = ?")
          .run(event.memberId, at, event.id);
        // R12: only a movement that is still the latest is undone; a later scan wins.
        store
          .prepare(
            "DELETE FROM presence WHERE member_id = ? AND area = ? AND last_at = ? AND last_direction = 'in'",
          )
          .run(event.memberId, event.area, at);
      }
      // A pulse that was awaited (not NULL) ends 'failed'.
      store
        .prepare(
          "UPDATE events SET doc = ?, pulse = CASE WHEN pulse IS NULL THEN NULL ELSE 'failed' END WHERE seq = ?",
        )
        .run(JSON.stringify({ ...doc, relayFailed: true }), event.seq);
      store.prepare("INSERT OR IGNORE INTO outbox (seq) VALUES (?)").run(event.seq);
      return { refunded, marked: true };
    })
    .immediate();
}

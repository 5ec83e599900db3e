/**
 * Undoing a grant whose member did not get in (a relay failure, or doors.md D2: no passage by the
 * timeout): the credits back with a refund entry (R16: a negative entry, never a deletion), the
 * visit marked undone (sticky, sync.md), presence put back, the event rewritten and queued again
 * for the central.
 */
import type { Store } from "./db.js";
import { decisionFromDoc, type RecordedEvent } from "./events.js";
import { markAcked } from "./ledgerFold.js";
import { mergeLedgerEntry } from "./ledgerMerge.js";
import { editVisits } from "./packedHistory.js";

/** The member's presence in an area as it was before a grant (D2 restores it). */
export interface PresenceRow {
  lastDirection: "in" | "out";
  lastAt: number;
  lastInAt: number | null;
  /** The event of the movement (absent in a row remembered before visits were merged). */
  eventId?: string | null;
  /** Whether it was this gateway's own movement not yet listed by a member document. */
  local?: boolean;
}

/** How to undo: the refund's ledger id, what to write on the event, and the presence to put back. */
export interface UndoPlan {
  refundLedgerId: string;
  /** The event as rewritten (relayFailed, or passed false); null when it is already undone (nothing changes). */
  rewrite: (doc: RecordedEvent) => RecordedEvent | null;
  /** The presence before the grant (D2); undefined: not known, so the grant's presence is removed. */
  presenceBefore?: PresenceRow | null;
}

/** What an undo changed. */
export interface UndoOutcome {
  /** Credits given back (0 when the grant cost nothing or was already refunded). */
  refunded: number;
  /** False when the event was already undone (nothing changed). */
  marked: boolean;
}

/** The member's presence row in an area, or null. */
export function presenceOf(store: Store, memberId: string, area: string): PresenceRow | null {
  const r = store
    .prepare(
      "SELECT last_direction, last_at, last_in_at, event_id, local FROM presence WHERE member_id = ? AND area = ?",
    )
    .get(memberId, area) as
    | {
        last_direction: "in" | "out";
        last_at: number;
        last_in_at: number | null;
        event_id: string | null;
        local: number;
      }
    | undefined;
  return r
    ? {
        lastDirection: r.last_direction,
        lastAt: r.last_at,
        lastInAt: r.last_in_at,
        eventId: r.event_id,
        local: r.local === 1,
      }
    : null;
}

/** Undoes a grant in one transaction, as `plan` says; doing it twice changes nothing. */
export function undoGrant(store: Store, event: RecordedEvent, now: number, plan: UndoPlan): UndoOutcome {
  return store.db
    .transaction((): UndoOutcome => {
      const row = store.prepare("SELECT doc FROM events WHERE seq = ?").get(event.seq) as
        | { doc: string }
        | undefined;
      if (!row) return { refunded: 0, marked: false };
      const rewritten = plan.rewrite(decisionFromDoc(row.doc));
      if (rewritten === null) return { refunded: 0, marked: false };
      const refunded = refund(store, event, now, plan.refundLedgerId);
      const at = Date.parse(event.at);
      if (event.memberId) {
        // Marked, not deleted: a document listing the visit as not undone yet cannot bring it back.
        editVisits(store, event.memberId, (v) =>
          v.at === at && v.id === event.id && !v.undone ? { ...v, undone: true } : v,
        );
        restorePresence(store, event, at, plan.presenceBefore);
      }
      // A pulse that was awaited (not NULL) ends 'failed' after a relay failure; D2 leaves it done.
      const pulse = rewritten.relayFailed ? "CASE WHEN pulse IS NULL THEN NULL ELSE 'failed' END" : "pulse";
      store
        .prepare(`UPDATE events SET doc = ?, pulse = ${pulse} WHERE seq = ?`)
        .run(JSON.stringify(rewritten), event.seq);
      const requeued =
        store.prepare("INSERT OR IGNORE INTO outbox (seq) VALUES (?)").run(event.seq).changes > 0;
      // sync.md history horizon: the usage entry went out with the acked first copy.
      if (requeued) markAcked(store, event.id);
      // D2: an undone grant waits for no passage any more.
      store.prepare("DELETE FROM passage_waits WHERE seq = ?").run(event.seq);
      return { refunded, marked: true };
    })
    .immediate();
}

/** R16: the refund of what the grant charged, as a negative ledger entry; returns the credits given back. */
function refund(store: Store, event: RecordedEvent, now: number, id: string): number {
  if (!(event.memberId && event.multipackId && event.productId && event.creditsDeducted > 0)) return 0;
  const added = mergeLedgerEntry(
    store,
    event.memberId,
    event.multipackId,
    event.productId,
    { id, amount: -event.creditsDeducted, at: new Date(now).toISOString(), area: event.area, kind: "refund" },
    "local",
  );
  return added ? event.creditsDeducted : 0;
}

/**
 * R12: only a movement that is still the latest is undone (a later scan wins). With the presence
 * before the grant known (D2), it is put back; else the grant's presence is removed.
 */
function restorePresence(
  store: Store,
  event: RecordedEvent,
  at: number,
  before: PresenceRow | null | undefined,
): void {
  const memberId = event.memberId as string;
  const latest = store
    .prepare("SELECT 1 FROM presence WHERE member_id = ? AND area = ? AND last_at = ? AND last_direction = ?")
    .get(memberId, event.area, at, event.direction);
  if (!latest) return;
  if (before === undefined && event.direction !== "in") return;
  if (before === undefined || before === null) {
    store.prepare("DELETE FROM presence WHERE member_id = ? AND area = ?").run(memberId, event.area);
    return;
  }
  store
    .prepare(
      `UPDATE presence SET last_direction = ?, last_at = ?, last_in_at = ?, event_id = ?, local = ?
       WHERE member_id = ? AND area = ?`,
    )
    .run(
      before.lastDirection,
      before.lastAt,
      before.lastInAt,
      before.eventId ?? null,
      // A row remembered before merging existed was this gateway's own movement (migration 13).
      before.local === false ? 0 : 1,
      memberId,
      event.area,
    );
}

/**
 * doors.md D2: grants waiting for their passage (migration 12). A provisional grant is recorded
 * with its wait in the decision's transaction; the passage settles it (`passed: true`), the
 * timeout undoes it (`passed: false`). The wait is stored, so a restart still decides it, and a
 * passage recorded before a crash is never refunded (its wait is gone with the same transaction).
 */
import type { Store } from "./db.js";
import { decisionFromDoc, type RecordedEvent } from "./events.js";
import { type PresenceRow, presenceOf, type UndoOutcome, undoGrant } from "./grantUndo.js";

/** The ledger id of the refund of a grant undone for want of a passage: the event id with `:undo` (D2). */
export function undoId(eventId: string): string {
  return `${eventId}:undo`;
}

/** Where and until when a provisional grant waits. */
export interface PassageWait {
  doorId: string;
  /** The passage input of the grant's direction. */
  input: string;
  /** The instant (ms) after which the grant is undone: the pulse's start plus passageTimeoutSeconds. */
  deadline: number;
}

/** A stored wait with its event. */
export interface WaitingGrant extends PassageWait {
  event: RecordedEvent;
}

/**
 * D2: records the wait of a grant just recorded, with the member's presence in the area as it was
 * before it (read before recordDecision). Call in the decision's transaction.
 */
export function recordPassageWait(
  store: Store,
  event: RecordedEvent,
  presenceBefore: PresenceRow | null,
  wait: PassageWait,
): void {
  store
    .prepare(
      "INSERT INTO passage_waits (seq, door_id, passage_input, deadline, presence_before) VALUES (?, ?, ?, ?, ?)",
    )
    .run(event.seq, wait.doorId, wait.input, wait.deadline, JSON.stringify(presenceBefore));
}

/** The presence to remember for a grant about to be recorded (null for a grant without a member). */
export function presenceBeforeGrant(store: Store, memberId: string | null, area: string): PresenceRow | null {
  return memberId === null ? null : presenceOf(store, memberId, area);
}

/**
 * D2: the passage of a waiting grant was seen: `passed: true`, the event queued again for the
 * central. False when the grant no longer waits (undone meanwhile), so the caller takes the next.
 */
export function recordPassage(store: Store, seq: number): boolean {
  return store.db
    .transaction((): boolean => {
      if (store.prepare("DELETE FROM passage_waits WHERE seq = ?").run(seq).changes === 0) return false;
      const row = store.prepare("SELECT doc FROM events WHERE seq = ?").get(seq) as { doc: string };
      store
        .prepare("UPDATE events SET doc = ? WHERE seq = ?")
        .run(JSON.stringify({ ...decisionFromDoc(row.doc), passed: true }), seq);
      store.prepare("INSERT OR IGNORE INTO outbox (seq) VALUES (?)").run(seq);
      return true;
    })
    .immediate();
}

/**
 * D2: no passage by the timeout: the grant is undone (refund `<id>:undo`, visit removed, presence
 * put back to what it was, `passed: false`, queued again). Nothing happens when it no longer waits.
 */
export function recordNoPassage(store: Store, event: RecordedEvent, now: number): UndoOutcome {
  const row = store.prepare("SELECT presence_before FROM passage_waits WHERE seq = ?").get(event.seq) as
    | { presence_before: string }
    | undefined;
  if (row === undefined) return { refunded: 0, marked: false };
  return undoGrant(store, event, now, {
    refundLedgerId: undoId(event.id),
    rewrite: (doc) => (doc.relayFailed || doc.passed !== null ? null : { ...doc, passed: false }),
    presenceBefore: JSON.parse(row.presence_before) as PresenceRow | null,
  });
}

/** Every grant still waiting for its passage, oldest first (a start re-arms or resolves them). */
export function waitingGrants(store: Store): WaitingGrant[] {
  const rows = store
    .prepare(
      `SELECT w.door_id, w.passage_input, w.deadline, e.doc FROM passage_waits w JOIN events e ON e.seq = w.seq
       ORDER BY w.seq`,
    )
    .all() as { door_id: string; passage_input: string; deadline: number; doc: string }[];
  return rows.map((r) => ({
    doorId: r.door_id,
    input: r.passage_input,
    deadline: r.deadline,
    event: decisionFromDoc(r.doc),
  }));
}

/**
 * sync.md "Seq after a restore": a restored cache hands out seqs from where the backup stopped, but
 * the central may already hold events of this gateway recorded after the backup (they reached it,
 * then the box died). A restore therefore marks the cache "seq unconfirmed" (RESTORED_KEY: the
 * highest seq of the backup); decisions go on being made and recorded, nothing is published, and
 * the central's answer to hello (its acks' `lastSeq`) moves the seq counter past what it holds,
 * renumbering the events recorded since the restore. R14: every event keeps its content; only its
 * seq and id (and the ids derived from it: ledger entries, visits) change, before it was ever sent.
 */
import type { Store } from "./db.js";
import { editLedger, editVisits } from "./packedHistory.js";
import { undoId } from "./passages.js";
import { refundId } from "./relayFailure.js";

/** The `meta` key of the mark: the highest seq the restored backup had handed out. */
export const RESTORED_KEY = "restored_seq_through";

/** The highest seq of the restored backup while the seq is unconfirmed, else null. */
export function unconfirmedSeq(store: Store): number | null {
  const v = store.meta(RESTORED_KEY);
  return v === undefined ? null : Number(v);
}

/** What confirming the seq did. */
export type SeqConfirmation =
  | { kind: "confirmed"; through: number; centralSeq: number; moved: number; nextSeq: number }
  /** An event recorded since the restore still waits for its pulse or passage: try again soon. */
  | { kind: "busy"; waiting: number };

/**
 * The central holds events of this gateway up to `centralSeq`. Events recorded since the restore
 * (seq > the mark) are moved above it, in order, and the seq counter with them; the mark goes.
 * Refused (busy) while one of them is still being settled by the door (its seq is held in memory).
 */
export function confirmSeq(store: Store, centralSeq: number): SeqConfirmation {
  return store.db
    .transaction((): SeqConfirmation => {
      const through = unconfirmedSeq(store);
      if (through === null)
        return { kind: "confirmed", through: 0, centralSeq, moved: 0, nextSeq: nextSeq(store) };
      const offset = Math.max(0, centralSeq - through);
      const since = store
        .prepare("SELECT seq, id, doc, member_id FROM events WHERE seq > ? ORDER BY seq DESC")
        .all(through) as EventRow[];
      if (offset > 0 && since.length > 0) {
        const waiting = store
          .prepare(
            "SELECT count(*) FROM events WHERE seq > ? AND (pulse = 'pending' OR seq IN (SELECT seq FROM passage_waits))",
          )
          .pluck()
          .get(through) as number;
        if (waiting > 0) return { kind: "busy", waiting };
        // Highest first: each event moves to a seq no event holds any more.
        for (const e of since) move(store, e, e.seq + offset);
      }
      const highest = Math.max(centralSeq, maxSeq(store));
      store.prepare("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'events'").run(highest);
      store
        .prepare(
          "INSERT INTO sqlite_sequence (name, seq) SELECT 'events', ? WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'events')",
        )
        .run(highest);
      store.prepare("DELETE FROM meta WHERE key = ?").run(RESTORED_KEY);
      return {
        kind: "confirmed",
        through,
        centralSeq,
        moved: offset > 0 ? since.length : 0,
        nextSeq: highest + 1,
      };
    })
    .immediate();
}

interface EventRow {
  seq: number;
  id: string;
  doc: string;
  member_id: string | null;
}

/** Moves one event to `seq`, with the rows that name it by seq or by id. */
function move(store: Store, e: EventRow, seq: number): void {
  const gatewayId = e.id.slice(0, e.id.lastIndexOf(":"));
  const id = `${gatewayId}:${seq}`;
  const stored = JSON.parse(e.doc) as { multipackId?: string | null };
  const doc = JSON.stringify({ ...stored, id, seq });
  // The events row first: the outbox_requeue trigger then finds no outbox row at the new seq.
  store.prepare("UPDATE events SET seq = ?, id = ?, doc = ? WHERE seq = ?").run(seq, id, doc, e.seq);
  store.prepare("UPDATE outbox SET seq = ? WHERE seq = ?").run(seq, e.seq);
  store.prepare("UPDATE outbox_requeued SET seq = ? WHERE seq = ?").run(seq, e.seq);
  // R14/R16: the usage entry is the event's id, its refund and undo derive from it.
  // The ledger is packed by multipack (migration 16); an event's entries are on its multipack.
  const renamed = new Map([
    [e.id, id],
    [refundId(e.id), refundId(id)],
    [undoId(e.id), undoId(id)],
  ]);
  if (stored.multipackId)
    editLedger(store, stored.multipackId, (r) => {
      const to = renamed.get(r.id);
      return to === undefined ? r : { ...r, id: to };
    });
  if (e.member_id !== null) {
    editVisits(store, e.member_id, (v) => (v.id === e.id ? { ...v, id } : v));
    store
      .prepare("UPDATE presence SET event_id = ? WHERE member_id = ? AND event_id = ?")
      .run(id, e.member_id, e.id);
  }
}

function maxSeq(store: Store): number {
  return (store.prepare("SELECT max(seq) FROM events").pluck().get() as number | null) ?? 0;
}

function nextSeq(store: Store): number {
  const s = store.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'").pluck().get() as
    | number
    | undefined;
  return (s ?? 0) + 1;
}

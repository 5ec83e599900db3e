/**
 * The outbox (R14, sync.md): events not yet acknowledged by the central, in `seq` order, with the
 * ledger entries they wrote. Events themselves stay in the history after an ack.
 */

import { MAX_BATCH } from "../../config/protocol/payloads.js";
import type { Store } from "./db.js";
import { eventFromDoc, type RecordedEvent, type StoredEvent } from "./events.js";
import { readLedger } from "./packedHistory.js";
import { undoId } from "./passages.js";
import { refundId } from "./relayFailure.js";

/** A ledger entry as it travels with its event (R16: the central merges it by id). */
export interface OutboxLedgerEntry {
  multipackId: string;
  id: string;
  amount: number;
  at: string;
  /** Absent, not null, when unknown: the central echoes entries into strict member documents. */
  area?: string;
  accessType?: string;
  kind: string;
}

/** An event as published: a decision with the ledger entries it wrote, or a door, alarm or command event (D7). */
export type OutboxEvent =
  | (RecordedEvent & { ledger: OutboxLedgerEntry[] })
  | Exclude<StoredEvent, RecordedEvent>;

/**
 * Unacked events after `afterSeq` (default: from the first), oldest first, at most `limit` (≤ 500).
 * Each carries its ledger entries: the usage whose id is the event id (R14) and, after a failed door
 * pulse, the refund `<id>:refund`; after a grant undone for want of a passage (doors.md D2), `<id>:undo`. An event queued again after a relay failure is published again
 * whole, so the central receives the refund with it and merges both entries by id: once each.
 */
export function pendingEvents(
  store: Store,
  options: { afterSeq?: number; limit?: number } = {},
): OutboxEvent[] {
  const limit = Math.max(0, Math.min(MAX_BATCH, options.limit ?? MAX_BATCH));
  const rows = store
    .prepare(
      "SELECT e.doc FROM outbox o JOIN events e ON e.seq = o.seq WHERE o.seq > ? ORDER BY o.seq LIMIT ?",
    )
    .pluck()
    .all(options.afterSeq ?? 0, limit) as string[];
  return rows.map((doc) => {
    const e = eventFromDoc(doc);
    if (e.kind !== "decision") return e;
    const ledger: OutboxLedgerEntry[] = [];
    // The ledger is packed by multipack (migration 16); a decision's entries are on its multipack.
    if (e.multipackId === null) return { ...e, ledger };
    const entries = new Map(readLedger(store, e.multipackId).map((r) => [r.id, r]));
    for (const id of [e.id, refundId(e.id), undoId(e.id)]) {
      const r = entries.get(id);
      if (r)
        ledger.push({
          multipackId: e.multipackId,
          id: r.id,
          amount: r.amount,
          at: new Date(r.at).toISOString(),
          ...(r.area === null ? {} : { area: r.area }),
          ...(r.accessType === null ? {} : { accessType: r.accessType }),
          kind: r.kind,
        });
    }
    return { ...e, ledger };
  });
}

/**
 * sync.md acks: forgets outbox rows with `seq` ≤ `upTo`; returns how many. A row queued again after
 * it was published (relay failure) survives the first such ack, which may be for its first copy:
 * that ack only clears its flag, and a later one (after it was re-published) deletes it.
 */
export function ackUpTo(store: Store, upTo: number): number {
  return store.db
    .transaction(() => {
      const n = store
        .prepare("DELETE FROM outbox WHERE seq <= ? AND seq NOT IN (SELECT seq FROM outbox_requeued)")
        .run(upTo).changes;
      store.prepare("DELETE FROM outbox_requeued WHERE seq <= ?").run(upTo);
      return n;
    })
    .immediate();
}

/**
 * An event queued again before any copy of it went out: no ack in flight can be for an older copy,
 * so the first ack that covers it may forget it (its requeue flag is cleared).
 */
export function unflagRequeued(store: Store, seq: number): void {
  store.prepare("DELETE FROM outbox_requeued WHERE seq = ?").run(seq);
}

/** Events waiting for an ack (status `outboxPending`, the outbox alarm). */
export function outboxDepth(store: Store): number {
  return store.prepare("SELECT count(*) FROM outbox").pluck().get() as number;
}

/** The first and last unacked seq (hello's `outbox`), or nulls when the outbox is empty. */
export function outboxRange(store: Store): { firstSeq: number | null; lastSeq: number | null } {
  // Two subqueries: SQLite answers a lone min() or max() from the index end, both together by a scan.
  const r = store
    .prepare("SELECT (SELECT min(seq) FROM outbox) AS firstSeq, (SELECT max(seq) FROM outbox) AS lastSeq")
    .get() as {
    firstSeq: number | null;
    lastSeq: number | null;
  };
  return { firstSeq: r.firstSeq, lastSeq: r.lastSeq };
}

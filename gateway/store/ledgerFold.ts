/**
 * sync.md "History horizon" in the cache: a multipack's ledger entries before an instant
 * (`before_through`) kept as two sums (`before_used`, `before_added`) instead of rows, whether the
 * central folded them (`ledgerBefore`) or this gateway did (historyFold.ts). The running totals
 * `used` and `added` that decisions read keep counting every entry (R16), so a fold changes no
 * remaining credits; only the rows go. Entries recorded here that the central has not acked are
 * never folded: the central's sums cannot hold them yet.
 */
import { type LedgerEntry, ledgerKind, type Multipack } from "../../config/members.js";
import type { Store } from "./db.js";
import { editLedger, entrySums, isUnacked, oldestEntryAt, readLedger } from "./packedHistory.js";

const HELD = "SELECT 1 FROM multipacks WHERE id = ?";

/**
 * A grant undone after its event was acked (its outbox row was gone): its usage entry reached the
 * central with the first copy, so it no longer counts as unacked when the event is queued again.
 */
export function markAcked(store: Store, entryId: string): void {
  store.prepare("INSERT OR IGNORE INTO ledger_acked (id) VALUES (?)").run(entryId);
}

/** Forgets the marks of events acked again (their entries are acked whatever the mark says). */
export function clearAckedMarks(store: Store): void {
  store
    .prepare(
      "DELETE FROM ledger_acked WHERE NOT EXISTS (SELECT 1 FROM events e JOIN outbox o ON o.seq = e.seq WHERE e.id = ledger_acked.id)",
    )
    .run();
}

/** A multipack's folded history: the sums of its entries before `through` (ms) that are not rows. */
export interface FoldedBase {
  used: number;
  added: number;
  through: number;
}

/** What the sums of a ledger entry are: an addition raises `added`, every other entry `used` (R16). */
export function addToBase(base: { used: number; added: number }, e: { amount: number; kind: string }): void {
  const sums = entrySums([e]);
  base.used += sums.used;
  base.added += sums.added;
}

/** The member's stored multipacks that are folded, with the instant each is folded through. */
export function foldedPacks(store: Store, memberId: string): Map<string, number> {
  const rows = store
    .prepare(
      "SELECT id AS pack, before_through AS through FROM multipacks WHERE member_id = ? AND before_through IS NOT NULL",
    )
    .all(memberId) as { pack: string; through: number }[];
  return new Map(rows.map((r) => [r.pack, r.through]));
}

/** The instant a stored multipack is folded through, or undefined when it is not stored or not folded. */
export function foldedThrough(store: Store, multipackId: string): number | undefined {
  const r = store.prepare("SELECT before_through FROM multipacks WHERE id = ?").get(multipackId) as
    | { before_through: number | null }
    | undefined;
  return r?.before_through ?? undefined;
}

/**
 * The instant from which a document's entries of this multipack are rows to merge: entries before
 * it are in the sums already (the document's `ledgerBefore`, or the cache's own fold) and are
 * ignored. −∞ when neither folded anything.
 */
export function mergeFrom(mp: Multipack, stored: number | undefined): number {
  const through =
    mp.ledgerBefore === undefined ? Number.NEGATIVE_INFINITY : Date.parse(mp.ledgerBefore.through);
  return Math.max(through, stored ?? Number.NEGATIVE_INFINITY);
}

/**
 * sync.md `ledgerBefore`, after the multipack's row was upserted and its listed entries from `cut`
 * on merged: the document's sums become the multipack's folded base, together with the listed
 * entries between its `through` and `cut` (when this cache had folded further than the central);
 * the rows before `cut` go, except this gateway's unacked ones (the central's sums cannot hold
 * them, so they stay and count). The running totals are then the base plus the rows: exactly R16
 * remaining over the central's history and this gateway's own, in whatever order they arrived.
 */
export function applyLedgerBefore(store: Store, mp: Multipack, cut: number): void {
  const before = mp.ledgerBefore;
  if (before === undefined) return;
  editLedger(store, mp.id, (e) => (e.at < cut && !isUnacked(store, e) ? null : e));
  const kept = new Set(readLedger(store, mp.id).map((e) => e.id));
  const base = { used: before.used, added: before.added };
  const through = Date.parse(before.through);
  for (const e of mp.ledger) {
    const at = Date.parse(e.at);
    // An entry still a row here (recorded here, unacked) counts as the row, never twice.
    if (at >= through && at < cut && !kept.has(e.id))
      addToBase(base, { amount: e.amount, kind: ledgerKind(e) });
  }
  setBase(store, mp.id, { ...base, through: cut });
}

/** Stores a multipack's folded base and recomputes its running totals as the base plus its entries (R16). */
export function setBase(store: Store, multipackId: string, base: FoldedBase): void {
  const rows = entrySums(readLedger(store, multipackId));
  store
    .prepare(
      `UPDATE multipacks SET before_used = @used, before_added = @added, before_through = @through,
         used = @used + @rowsUsed, added = @added + @rowsAdded WHERE id = @id`,
    )
    .run({ ...base, rowsUsed: rows.used, rowsAdded: rows.added, id: multipackId });
}

/**
 * The gateway's own fold of one multipack (sync.md: "a gateway may fold its own acked history"):
 * its entries before `cut`, other than unacked ones, move into the folded base and are deleted. The
 * running totals do not move: the entries still count, now as sums. Returns the entries folded.
 */
export function foldMultipack(store: Store, multipackId: string, cut: number): number {
  // The entries of a multipack the cache no longer holds stay rows: it may come back (syncMembers.ts).
  if (foldedThrough(store, multipackId) === undefined && !store.prepare(HELD).get(multipackId)) return 0;
  // Most multipacks have nothing before the cut once a pass has run: one entry decoded says so.
  const oldest = oldestEntryAt(store, multipackId);
  if (oldest === null || oldest >= cut) return 0;
  const rows = editLedger(store, multipackId, (e) => (e.at < cut && !isUnacked(store, e) ? null : e));
  if (rows.length === 0) return 0;
  const sums = entrySums(rows);
  store
    .prepare(
      `UPDATE multipacks SET before_used = before_used + ?, before_added = before_added + ?,
         before_through = max(coalesce(before_through, ?), ?) WHERE id = ?`,
    )
    .run(sums.used, sums.added, cut, cut, multipackId);
  return rows.length;
}

/** The document's entries that are rows to merge: those from `from` on (the rest are in the sums). */
export function entriesFrom(ledger: LedgerEntry[], from: number): LedgerEntry[] {
  if (from === Number.NEGATIVE_INFINITY) return ledger;
  return ledger.filter((e) => Date.parse(e.at) >= from);
}

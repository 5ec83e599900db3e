/**
 * R16 for the importer (importer.ts) and for entries recorded here (grantUndo.ts): ledger entries
 * merged by id within their multipack (one packed value each, packedHistory.ts), the multipacks'
 * running totals and the visits the usage entries stand for.
 */
import { type LedgerEntry, ledgerKind, type Member } from "../../config/members.js";
import type { Store } from "./db.js";
import type { ImportSummary } from "./importer.js";
import { entriesFrom } from "./ledgerFold.js";
import { addEntries, addVisits, type PackedEntry, type PackedVisit } from "./packedHistory.js";

/** A multipack's changes from the entries of this import that were new (R16). */
export interface Totals {
  used: number;
  added: number;
  firstUse: number | null;
}

/** The member with each multipack's ledger from `from[j]` on; the entries before count as known (R16). */
export function withLedgersFrom(m: Member, from: number[], sum: ImportSummary): Member {
  if (from.every((f) => f === Number.NEGATIVE_INFINITY)) return m;
  return {
    ...m,
    multipacks: m.multipacks.map((mp, j) => {
      const ledger = entriesFrom(mp.ledger, from[j] as number);
      sum.ledgerKnown += mp.ledger.length - ledger.length;
      return { ...mp, ledger };
    }),
  };
}

/**
 * R16 for all the member's ledgers: the same effect as `mergeLedgerEntry` on each entry in turn
 * (an entry whose id is known, or repeated, changes nothing), one write per multipack. A
 * document that lists its `visits` (sync.md) gets no visits derived from its usage entries: its
 * charged visits are among those listed, which replace the member's visits right after (writing
 * them twice would only cost time).
 */
export function mergeLedgers(
  store: Store,
  m: Member,
  origin: string,
  totals: Totals[],
  sum: ImportSummary,
): void {
  const derive = m.visits === undefined;
  const visits: PackedVisit[] = [];
  m.multipacks.forEach((mp, j) => {
    if (mp.ledger.length === 0) return;
    const added = addEntries(
      store,
      mp.id,
      mp.ledger.map((e) => packedEntry(e, origin)),
    );
    sum.ledgerAdded += added.length;
    sum.ledgerKnown += mp.ledger.length - added.length;
    const t = totals[j] as Totals;
    for (const e of added) {
      countEntry(t, e);
      if (derive && e.kind === "usage" && e.area !== null) visits.push(usageVisit(e, mp.id, mp.product));
    }
  });
  addVisits(store, m.id, visits);
}

/** A document's ledger entry as stored. */
function packedEntry(e: LedgerEntry, origin: string): PackedEntry {
  return {
    id: e.id,
    amount: e.amount,
    at: Date.parse(e.at),
    area: e.area ?? null,
    accessType: e.accessType ?? null,
    kind: ledgerKind(e),
    origin,
  };
}

/** A new entry's effect on its multipack's running totals and first use (R16, R6). */
function countEntry(t: Totals, e: PackedEntry): void {
  if (e.kind === "addition") t.added += e.amount;
  else t.used += e.amount;
  if (e.kind === "usage" && e.area !== null)
    t.firstUse = t.firstUse === null ? e.at : Math.min(t.firstUse, e.at);
}

/** The visit a usage entry with an area stands for (R5 anchor, R7/R8 count). */
function usageVisit(e: PackedEntry, multipackId: string, productId: string): PackedVisit {
  return {
    id: e.id,
    at: e.at,
    multipack: multipackId,
    product: productId,
    accessType: e.accessType,
    area: e.area as string,
    credits: e.amount,
    site: null,
    undone: false,
    local: false,
  };
}

/**
 * R16: adds a ledger entry unless its id is known; keeps the multipack's running totals and, for
 * usage with an area, the visit it stands for (R5 anchor, R7/R8 count). Returns false for a duplicate.
 */
export function mergeLedgerEntry(
  store: Store,
  memberId: string,
  multipackId: string,
  productId: string,
  e: LedgerEntry,
  origin: string,
): boolean {
  const [added] = addEntries(store, multipackId, [packedEntry(e, origin)]);
  if (added === undefined) return false;
  const t: Totals = { used: 0, added: 0, firstUse: null };
  countEntry(t, added);
  store
    .prepare(
      `UPDATE multipacks SET used = used + ?, added = added + ?,
         first_use_at = CASE WHEN ? IS NULL THEN first_use_at ELSE min(coalesce(first_use_at, ?), ?) END
       WHERE id = ?`,
    )
    .run(t.used, t.added, t.firstUse, t.firstUse, t.firstUse, multipackId);
  if (added.kind === "usage" && added.area !== null)
    addVisits(store, memberId, [usageVisit(added, multipackId, productId)]);
  return true;
}

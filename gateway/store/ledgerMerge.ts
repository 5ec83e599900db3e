/**
 * R16 for the importer (importer.ts) and for entries recorded here (grantUndo.ts): ledger entries
 * merged by id within their multipack, several rows per statement, the multipacks' running totals
 * and the visits the usage entries stand for.
 */
import { type LedgerEntry, ledgerKind, type Member } from "../../config/members.js";
import type { Store } from "./db.js";
import type { ImportSummary } from "./importer.js";
import { entriesFrom } from "./ledgerFold.js";

/** Rows per multi-row INSERT (8 columns each: 400 parameters, far below SQLite's limit). */
const BATCH = 50;

const LEDGER_INSERT =
  "INSERT INTO ledger (id, multipack_id, amount, at, area, access_type_id, kind, origin) VALUES ";
const VISIT_INSERT =
  "INSERT INTO visits (id, member_id, multipack_id, product_id, access_type_id, area, at, credits) VALUES ";
const ROW8 = "(?, ?, ?, ?, ?, ?, ?, ?)";
const ledgerSql: string[] = [];
const visitSql: string[] = [];

/** The INSERT of `n` ledger rows that returns the ids it actually inserted (R16: known ids are skipped). */
function ledgerBatchSql(n: number): string {
  let sql = ledgerSql[n];
  if (sql === undefined) {
    sql = `${LEDGER_INSERT}${Array(n).fill(ROW8).join(", ")} ON CONFLICT (multipack_id, id) DO NOTHING RETURNING id`;
    ledgerSql[n] = sql;
  }
  return sql;
}

function visitBatchSql(n: number): string {
  let sql = visitSql[n];
  if (sql === undefined) {
    sql = `${VISIT_INSERT}${Array(n).fill(ROW8).join(", ")}`;
    visitSql[n] = sql;
  }
  return sql;
}

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
 * (an entry whose id is known, or repeated, changes nothing), in a few multi-row statements. A
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
  const rows: { e: LedgerEntry; j: number; at: number; kind: NonNullable<LedgerEntry["kind"]> }[] = [];
  m.multipacks.forEach((mp, j) => {
    for (const e of mp.ledger) rows.push({ e, j, at: Date.parse(e.at), kind: ledgerKind(e) });
  });
  const inserted = new Set<string>();
  for (let start = 0; start < rows.length; start += BATCH) {
    const batch = rows.slice(start, start + BATCH);
    const params: unknown[] = [];
    for (const r of batch) {
      const mp = m.multipacks[r.j] as Member["multipacks"][number];
      params.push(r.e.id, mp.id, r.e.amount, r.at, r.e.area ?? null, r.e.accessType ?? null, r.kind, origin);
    }
    const ids = store.prepare(ledgerBatchSql(batch.length)).pluck().all(params) as string[];
    for (const id of ids) inserted.add(id);
  }
  const derive = m.visits === undefined;
  const visits: unknown[] = [];
  let visitRows = 0;
  const flushVisits = () => {
    if (visitRows > 0) store.prepare(visitBatchSql(visitRows)).run(visits);
    visits.length = 0;
    visitRows = 0;
  };
  for (const r of rows) {
    // Only the first occurrence of an id was inserted; a repeat is known, as it would be row by row.
    if (!inserted.delete(r.e.id)) {
      sum.ledgerKnown++;
      continue;
    }
    sum.ledgerAdded++;
    const t = totals[r.j] as Totals;
    if (r.kind === "addition") t.added += r.e.amount;
    else t.used += r.e.amount;
    if (r.kind === "usage" && r.e.area) {
      const mp = m.multipacks[r.j] as Member["multipacks"][number];
      if (derive) {
        visits.push(r.e.id, m.id, mp.id, mp.product, r.e.accessType ?? null, r.e.area, r.at, r.e.amount);
        if (++visitRows === BATCH) flushVisits();
      }
      t.firstUse = t.firstUse === null ? r.at : Math.min(t.firstUse, r.at);
    }
  }
  flushVisits();
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
  const kind = ledgerKind(e);
  const at = Date.parse(e.at);
  const inserted = store
    .prepare(
      `INSERT INTO ledger (id, multipack_id, amount, at, area, access_type_id, kind, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (multipack_id, id) DO NOTHING`,
    )
    .run(e.id, multipackId, e.amount, at, e.area ?? null, e.accessType ?? null, kind, origin);
  if (inserted.changes === 0) return false;
  if (kind === "addition")
    store.prepare("UPDATE multipacks SET added = added + ? WHERE id = ?").run(e.amount, multipackId);
  else store.prepare("UPDATE multipacks SET used = used + ? WHERE id = ?").run(e.amount, multipackId);
  if (kind === "usage" && e.area) {
    store
      .prepare(
        `INSERT INTO visits (id, member_id, multipack_id, product_id, access_type_id, area, at, credits)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(e.id, memberId, multipackId, productId, e.accessType ?? null, e.area, at, e.amount);
    store
      .prepare("UPDATE multipacks SET first_use_at = min(coalesce(first_use_at, ?), ?) WHERE id = ?")
      .run(at, at, multipackId);
  }
  return true;
}

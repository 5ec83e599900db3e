/**
 * Migration 16's conversion: every ledger row and visit of a version-15 cache packed (packedCodec.ts),
 * one multipack and one member at a time, inside the migration's transaction.
 */
import type Database from "better-sqlite3";
import { encodeLedger, encodeVisits, type PackedEntry, type PackedVisit, sortVisits } from "./packedCodec.js";
import { migrationCodeBook } from "./packedCodes.js";

/** Keys read per statement while walking a table. */
const PAGE = 500;

/** Packs the `ledger` and `visits` tables into `ledger_packs` and `visit_packs`, then drops them. */
export function packHistory(db: Database.Database): void {
  const codes = migrationCodeBook(db);
  const putLedger = db.prepare("INSERT INTO ledger_packs (multipack_id, entries) VALUES (?, ?)");
  const entries = db.prepare(
    "SELECT id, amount, at, area, access_type_id AS accessType, kind, origin FROM ledger WHERE multipack_id = ? ORDER BY at, id",
  );
  walk(db, "ledger", "multipack_id", (key) => {
    putLedger.run(key, encodeLedger(entries.all(key) as PackedEntry[], codes));
  });
  const putVisits = db.prepare("INSERT INTO visit_packs (member_id, entries) VALUES (?, ?)");
  const visits = db.prepare(
    `SELECT id, at, multipack_id AS multipack, product_id AS product, access_type_id AS accessType, area,
       credits, site, undone, local FROM visits WHERE member_id = ?`,
  );
  walk(db, "visits", "member_id", (key) => {
    const rows = (
      visits.all(key) as (Omit<PackedVisit, "undone" | "local"> & { undone: number; local: number })[]
    ).map((r): PackedVisit => ({ ...r, undone: r.undone === 1, local: r.local === 1 }));
    putVisits.run(key, encodeVisits(sortVisits(rows), codes));
  });
  db.exec("DROP TABLE ledger; DROP TABLE visits;");
}

/** Calls `each` with every distinct value of the table's leading key column, in order. */
function walk(db: Database.Database, table: string, column: string, each: (key: string) => void): void {
  const next = db
    .prepare(`SELECT DISTINCT ${column} FROM ${table} WHERE ${column} > ? ORDER BY ${column} LIMIT ${PAGE}`)
    .pluck();
  let after = "";
  for (;;) {
    const keys = next.all(after) as string[];
    for (const key of keys) each(key);
    if (keys.length < PAGE) return;
    after = keys.at(-1) as string;
  }
}

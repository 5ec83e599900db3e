/**
 * Tests read the packed ledger and visits (migration 16) as the rows they were before: `unpacked`
 * decodes every pack into TEMP tables `ledger` and `visits` with the old columns, so a test can
 * still ask SQL what the cache holds. Call it again after each write: the tables are a copy.
 */
import type { Store } from "../../gateway/store/db.js";
import { readLedger, readVisits } from "../../gateway/store/packedHistory.js";

const LEDGER = `CREATE TEMP TABLE IF NOT EXISTS ledger (id TEXT, multipack_id TEXT, amount INTEGER, at INTEGER,
  area TEXT, access_type_id TEXT, kind TEXT, origin TEXT)`;
const VISITS = `CREATE TEMP TABLE IF NOT EXISTS visits (id TEXT, member_id TEXT, multipack_id TEXT, product_id TEXT,
  access_type_id TEXT, area TEXT, at INTEGER, credits INTEGER, site TEXT, undone INTEGER, local INTEGER)`;

/** Fills TEMP tables `ledger` and `visits` (old columns) from the packs; returns the store. */
export function unpacked(store: Store): Store {
  store.db.exec(`${LEDGER}; ${VISITS}; DELETE FROM temp.ledger; DELETE FROM temp.visits;`);
  const packs = store.db.prepare("SELECT multipack_id FROM ledger_packs").pluck().all() as string[];
  const entry = store.db.prepare("INSERT INTO temp.ledger VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  for (const mp of packs)
    for (const e of readLedger(store, mp))
      entry.run(e.id, mp, e.amount, e.at, e.area, e.accessType, e.kind, e.origin);
  const members = store.db.prepare("SELECT member_id FROM visit_packs").pluck().all() as string[];
  const visit = store.db.prepare("INSERT INTO temp.visits VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (const m of members)
    for (const v of readVisits(store, m))
      visit.run(
        v.id,
        m,
        v.multipack,
        v.product,
        v.accessType,
        v.area,
        v.at,
        v.credits,
        v.site,
        v.undone ? 1 : 0,
        v.local ? 1 : 0,
      );
  return store;
}

/**
 * The cache as version 16 left it (before migration 17): an index of events by reason and one by
 * kind instead of the notable events' index, and every presence row in presence_area. Reopen the
 * store to migrate it again.
 */
export function asVersion16(store: Store): void {
  asVersion17(store);
  store.db.exec(`
    DROP INDEX events_notable;
    CREATE INDEX events_reason ON events (reason, at);
    CREATE INDEX events_kind ON events (kind, at);
    DROP INDEX presence_in;
    CREATE INDEX presence_area ON presence (area, last_direction, last_at);
  `);
  store.db.pragma("user_version = 16");
}

/**
 * The cache as version 17 left it (before migration 18, R21): no PIN hash, no wrong-PIN counts.
 * Reopen the store to migrate it again.
 */
export function asVersion17(store: Store): void {
  store.db.exec(`
    DROP TABLE pin_failures;
    ALTER TABLE members DROP COLUMN pin_hash;
  `);
  store.db.pragma("user_version = 17");
}

/**
 * The cache as version 15 left it (before migration 16): the ledger and visits as tables of rows,
 * no packs and no dictionary. Reopen the store to migrate it again.
 */
export function asVersion15(store: Store): void {
  asVersion16(store);
  unpacked(store);
  store.db.exec(`
    CREATE TABLE main.ledger (
      id TEXT NOT NULL, multipack_id TEXT NOT NULL, amount INTEGER NOT NULL, at INTEGER NOT NULL,
      area TEXT, access_type_id TEXT, kind TEXT NOT NULL, origin TEXT NOT NULL,
      PRIMARY KEY (multipack_id, id)
    ) WITHOUT ROWID;
    CREATE TABLE main.visits (
      id TEXT NOT NULL, member_id TEXT NOT NULL, multipack_id TEXT, product_id TEXT, access_type_id TEXT,
      area TEXT NOT NULL, at INTEGER NOT NULL, credits INTEGER NOT NULL, site TEXT,
      undone INTEGER NOT NULL DEFAULT 0, local INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (member_id, at, id)
    ) WITHOUT ROWID;
    INSERT INTO main.ledger SELECT * FROM temp.ledger;
    INSERT INTO main.visits SELECT * FROM temp.visits;
    DROP TABLE temp.ledger;
    DROP TABLE temp.visits;
    DROP TABLE ledger_packs;
    DROP TABLE visit_packs;
    DROP TABLE codes;
  `);
  store.db.pragma("user_version = 15");
}

/**
 * The cache's migrations of issue 12 (sites with several gateways, the history horizon, a compact
 * cache), after those of migrations.ts. Never edit a released migration; add the next one.
 */
import type { Migration } from "./migrations.js";
import { packHistory } from "./packedMigration.js";

/** Versions 13 and on, in order. */
export const SITES_MIGRATIONS: Migration[] = [
  {
    version: 13,
    name: "visits and presence from every gateway of the site",
    sql: `
      -- sync.md "Sites with several gateways": member documents carry the member's visits and
      -- presence at every gateway of the site (and, for a chain, visits at its other sites).
      -- R20: the site where a visit was made; NULL is this gateway's own site (every visit stored
      -- before, and the visits recorded here), so the common case costs no bytes.
      ALTER TABLE visits ADD COLUMN site TEXT;
      -- An undone grant (relay failure, no passage, D2) counts for nothing, wherever it was made; the
      -- mark is sticky, so a stale document cannot bring the visit back.
      ALTER TABLE visits ADD COLUMN undone INTEGER NOT NULL DEFAULT 0;
      -- 1: recorded here and not yet listed by a member document (a merge keeps it); 0: the central's.
      ALTER TABLE visits ADD COLUMN local INTEGER NOT NULL DEFAULT 0;
      -- Before this version only this gateway's own grants made visits with their event's id.
      UPDATE visits SET local = 1 WHERE id IN (SELECT id FROM events);

      -- R11, R12: the event of the movement, and whether it is this gateway's own movement that no
      -- member document has listed yet. Every movement stored before was recorded here.
      ALTER TABLE presence ADD COLUMN event_id TEXT;
      ALTER TABLE presence ADD COLUMN local INTEGER NOT NULL DEFAULT 0;
      UPDATE presence SET local = 1, event_id = (
        SELECT e.id FROM events e
        WHERE e.member_id = presence.member_id AND e.at = presence.last_at AND e.decision = 'grant'
          AND json_extract(e.doc, '$.area') = presence.area
          AND json_extract(e.doc, '$.direction') = presence.last_direction
        ORDER BY e.seq DESC LIMIT 1);
    `,
  },
  {
    version: 14,
    name: "history horizon: folded ledger sums",
    sql: `
      -- sync.md "History horizon": a multipack's ledger entries before before_through kept as two
      -- sums instead of rows (the central's ledgerBefore, or this gateway's own fold). The running
      -- totals used and added still count every entry: used = before_used + the rows' non-additions.
      -- Entries recorded here and not yet acked stay rows whatever their age.
      ALTER TABLE multipacks ADD COLUMN before_used INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE multipacks ADD COLUMN before_added INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE multipacks ADD COLUMN before_through INTEGER;

      -- A grant undone after its event was acked goes back into the outbox with its refund, but
      -- its usage entry has reached the central already (its sums may hold it): such entries are
      -- named here, so they are not kept as unacked beside the central's sums.
      CREATE TABLE ledger_acked (id TEXT PRIMARY KEY) WITHOUT ROWID;
    `,
  },
  {
    version: 15,
    name: "compact cache: member probes, the ledger by multipack",
    sql: `
      -- Issue 12 §3: which of the member's blocks (R1) and bookings (R10) a decision must look up:
      -- bit 1 blocks, bit 2 bookings. Most members have neither, and each probe is a B-tree read
      -- that misses the page cache of a large cache. The import writes it with the member (the only
      -- writer of both tables); a row written any other way keeps the default, which probes both.
      ALTER TABLE members ADD COLUMN probes INTEGER NOT NULL DEFAULT 3;
      UPDATE members SET probes =
        (CASE WHEN EXISTS (SELECT 1 FROM blocks b WHERE b.member_id = members.id) THEN 1 ELSE 0 END) |
        (CASE WHEN EXISTS (SELECT 1 FROM bookings k WHERE k.member_id = members.id) THEN 2 ELSE 0 END);

      -- Issue 12 §3: the ledger stored in (multipack, id) order, so a multipack's entries (fold,
      -- ledgerBefore, a dropped multipack, running totals) are one range of the table itself and the
      -- index ledger_multipack, a B-tree as large as a third of the table, goes. R16 merges an entry
      -- by its id within its multipack: an entry belongs to one multipack for good, and every
      -- lookup by id (the outbox, a seq restore) knows the event's multipack.
      CREATE TABLE ledger_by_multipack (
        id TEXT NOT NULL,
        multipack_id TEXT NOT NULL,
        amount INTEGER NOT NULL,
        at INTEGER NOT NULL,
        area TEXT,
        access_type_id TEXT,
        kind TEXT NOT NULL,
        origin TEXT NOT NULL,
        PRIMARY KEY (multipack_id, id)
      ) WITHOUT ROWID;
      INSERT INTO ledger_by_multipack (id, multipack_id, amount, at, area, access_type_id, kind, origin)
        SELECT id, multipack_id, amount, at, area, access_type_id, kind, origin FROM ledger ORDER BY multipack_id, id;
      DROP TABLE ledger;
      ALTER TABLE ledger_by_multipack RENAME TO ledger;
    `,
  },
  {
    version: 16,
    name: "compact cache: the ledger and the visits packed",
    sql: `
      -- Issue 12 §3: areas, access types, products, sites and ledger origins as small integers in
      -- the packed values below. A code is never renumbered or reused (packedCodes.ts).
      CREATE TABLE codes (code INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
      -- A multipack's ledger entries (R16) as one value: decisions read the running totals on
      -- multipacks, never the entries; merging by id, the fold, ledgerBefore, undo and the outbox
      -- read one multipack's entries at a time. A table of its own keeps multipacks rows small.
      CREATE TABLE ledger_packs (multipack_id TEXT PRIMARY KEY, entries BLOB NOT NULL) WITHOUT ROWID;
      -- A member's counted visits (R5, R7, R8, R20) as one value, newest first: a decision reads
      -- one row and decodes back to the instant its rules look back to.
      CREATE TABLE visit_packs (member_id TEXT PRIMARY KEY, entries BLOB NOT NULL) WITHOUT ROWID;
    `,
    // Every ledger row and visit packed, then the tables dropped (packedMigration.ts).
    convert: packHistory,
  },
  {
    version: 17,
    name: "fewer index pages per scan: the notable events, the members present",
    sql: `
      -- Issue 12 (scan p99): every index of events is a page a scan writes and fsyncs. Routine grants
      -- (ok, reentry, booking, exit: most events) are found by time, reader, card or member; listing
      -- them by reason or kind reads the events' time index, where most rows match anyway. The
      -- others (denies, staff and door grants, door, alarm and command events, whose reason is '')
      -- go in one index by kind, reason and time, which serves --kind and --reason alone
      -- (events.ts adds the index's condition to such a listing, so SQLite can use it).
      DROP INDEX events_kind;
      DROP INDEX events_reason;
      CREATE INDEX events_notable ON events (kind, reason, at)
        WHERE reason NOT IN ('ok', 'reentry', 'booking', 'exit');

      -- R12: who is in an area (area_full, the console's list) reads the members whose last
      -- movement was an entry. Keeping only those in the index, a movement writes one of its pages
      -- (the entry added, or removed) instead of two (moved from the 'out' range to the 'in' one).
      DROP INDEX presence_area;
      CREATE INDEX presence_in ON presence (area, last_at) WHERE last_direction = 'in';
    `,
  },
  {
    version: 18,
    name: "card and PIN: the member's PIN hash, wrong PINs and lock-outs",
    sql: `
      -- R21: the member's PIN as a scrypt PHC string (never the PIN); NULL: no PIN set.
      ALTER TABLE members ADD COLUMN pin_hash TEXT;
      -- R21: wrong PINs in a row per card (canonical number) and, after the fifth, until when (ms)
      -- the card is refused pin_locked. In the cache, so a restart does not lift a lock-out; this
      -- gateway's own, never synced ("at this gateway").
      CREATE TABLE pin_failures (
        card TEXT PRIMARY KEY,
        failures INTEGER NOT NULL,
        locked_until INTEGER
      ) WITHOUT ROWID;
    `,
  },
];

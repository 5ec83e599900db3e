import type Database from "better-sqlite3";
import { SITES_MIGRATIONS } from "./migrationsSites.js";

/** One schema version: its number, what it is for, and the SQL that brings the version before to it. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** What SQL alone cannot do (re-encoding rows), run after `sql` in the same transaction. */
  convert?: (db: Database.Database) => void;
}

/**
 * Versioned migrations: each runs once, in order, inside a transaction, and sets `user_version`.
 * Never edit a released migration; add the next one.
 */
export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "initial cache",
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

      -- Site configuration, one JSON document per record, upserted by id.
      CREATE TABLE site (singleton INTEGER PRIMARY KEY CHECK (singleton = 1), id TEXT NOT NULL, doc TEXT NOT NULL);
      CREATE TABLE areas (id TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE access_types (id TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE products (id TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE limits (id TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE card_models (id TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID;

      CREATE TABLE members (
        id TEXT PRIMARY KEY,
        name TEXT,
        home_site TEXT,
        card_models TEXT NOT NULL DEFAULT '[]'
      ) WITHOUT ROWID;

      -- R1: cards are found by their canonical number.
      CREATE TABLE cards (
        canonical TEXT PRIMARY KEY,
        number TEXT NOT NULL,
        member_id TEXT NOT NULL,
        status TEXT NOT NULL,
        valid_from TEXT,
        valid_to TEXT
      ) WITHOUT ROWID;
      CREATE INDEX cards_member ON cards (member_id);

      -- Stored by member, in the order decisions want them (oldest purchase first), so a decision
      -- reads a member's multipacks in one range scan; ids stay unique through their own index.
      CREATE TABLE multipacks (
        id TEXT NOT NULL,
        member_id TEXT NOT NULL,
        product_id TEXT NOT NULL,
        purchased_at INTEGER NOT NULL,
        valid_from TEXT,
        valid_until TEXT,
        credits_base INTEGER,
        status TEXT NOT NULL,
        suspensions TEXT NOT NULL DEFAULT '[]',
        first_use_at INTEGER,
        used INTEGER NOT NULL DEFAULT 0,
        added INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (member_id, purchased_at, id)
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX multipacks_id ON multipacks (id);

      -- R16: entries merge by their globally unique id; refunds are negative entries, never deletions.
      CREATE TABLE ledger (
        id TEXT PRIMARY KEY,
        multipack_id TEXT NOT NULL,
        amount INTEGER NOT NULL,
        at INTEGER NOT NULL,
        area TEXT,
        access_type_id TEXT,
        kind TEXT NOT NULL,
        origin TEXT NOT NULL
      ) WITHOUT ROWID;
      -- No index on multipack_id: decisions read the running totals kept in multipacks, and an
      -- index would cost every imported or recorded entry one more B-tree insert.

      CREATE TABLE bookings (
        id TEXT PRIMARY KEY,
        member_id TEXT NOT NULL,
        area TEXT NOT NULL,
        start_at INTEGER NOT NULL,
        end_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX bookings_member ON bookings (member_id, end_at);

      CREATE TABLE blocks (
        member_id TEXT NOT NULL,
        pos INTEGER NOT NULL,
        reason TEXT NOT NULL,
        date_from TEXT NOT NULL,
        date_to TEXT,
        message TEXT,
        PRIMARY KEY (member_id, pos)
      ) WITHOUT ROWID;

      -- Counted visits (R5 anchors, R7 allowances, R8 limits): local grants and usage entries from elsewhere.
      -- Stored in (member, time) order, so a decision reads a member's recent visits in one range
      -- scan. The id needs no index of its own: a visit is written only with a new event (unique
      -- seq) or with a ledger entry that was new (the ledger's key dedupes it, R16).
      CREATE TABLE visits (
        id TEXT NOT NULL,
        member_id TEXT NOT NULL,
        multipack_id TEXT,
        product_id TEXT,
        access_type_id TEXT,
        area TEXT NOT NULL,
        at INTEGER NOT NULL,
        credits INTEGER NOT NULL,
        PRIMARY KEY (member_id, at, id)
      ) WITHOUT ROWID;

      -- R12: each member's last movement per area.
      CREATE TABLE presence (
        member_id TEXT NOT NULL,
        area TEXT NOT NULL,
        last_direction TEXT NOT NULL,
        last_at INTEGER NOT NULL,
        last_in_at INTEGER,
        PRIMARY KEY (member_id, area)
      ) WITHOUT ROWID;
      CREATE INDEX presence_area ON presence (area, last_direction, last_at);

      -- R14: every decision. AUTOINCREMENT: a seq is never reused, even after deletes or a crash.
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        at INTEGER NOT NULL,
        member_id TEXT,
        decision TEXT NOT NULL,
        reason TEXT NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE INDEX events_at ON events (at);

      -- Events not yet acknowledged by a central server (sync).
      CREATE TABLE outbox (seq INTEGER PRIMARY KEY);
    `,
  },
  {
    version: 2,
    name: "central sync",
    sql: `
      -- Sync revisions (sync.md): the applied site and config revisions, the last successful sync
      -- (offline policy) and the last config refused whole (status).
      CREATE TABLE sync_state (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
        last_rev INTEGER NOT NULL,
        config_rev INTEGER NOT NULL,
        last_sync_at INTEGER,
        config_rejected TEXT
      );
      INSERT INTO sync_state (singleton, last_rev, config_rev) VALUES (1, 0, 0);

      -- The sync answer being applied, so a restart in the middle knows where it is.
      CREATE TABLE sync_answer (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
        from_rev INTEGER NOT NULL,
        to_rev INTEGER NOT NULL,
        snapshot INTEGER NOT NULL,
        parts INTEGER NOT NULL
      );
      CREATE TABLE sync_answer_parts (part INTEGER PRIMARY KEY);
      -- Snapshot answers: every member named in any part; the others are deleted after the last part.
      CREATE TABLE sync_named (member_id TEXT PRIMARY KEY) WITHOUT ROWID;

      -- A multipack the central drops or a deleted member must lose the entries the central sent
      -- (keeping those recorded here): that needs a multipack's entries without a full scan.
      CREATE INDEX ledger_multipack ON ledger (multipack_id);

      -- An event queued again (relay failure: refund, relayFailed) after it was published must not
      -- be forgotten by an ack meant for its first copy: the first ack after a requeue only clears
      -- the flag; the next one deletes the row. (Only an event updated while still in the outbox is
      -- flagged: one already acked is simply queued again by recordRelayFailure.)
      CREATE TABLE outbox_requeued (seq INTEGER PRIMARY KEY);
      CREATE TRIGGER outbox_requeue AFTER UPDATE OF doc ON events
      WHEN EXISTS (SELECT 1 FROM outbox WHERE seq = NEW.seq) BEGIN
        INSERT OR IGNORE INTO outbox_requeued (seq) VALUES (NEW.seq);
      END;
    `,
  },
  {
    version: 3,
    name: "products in use, snapshot sweep",
    sql: `
      -- A config from the central that drops a product still sold here is applied (refusing it
      -- would leave a gateway that missed the rename stuck for good); the status names the products
      -- still in use, found through this index without reading every multipack.
      CREATE INDEX multipacks_product ON multipacks (product_id);

      -- A snapshot's deletions walk the members in id order, a page per transaction; the page
      -- reached is kept so a restart resumes the walk instead of reading forgotten names as none.
      ALTER TABLE sync_answer ADD COLUMN swept_to TEXT;
    `,
  },
  {
    version: 4,
    name: "member codes",
    sql: `
      -- R19: the member's codes (student, corp-acme…), a JSON array like card_models.
      ALTER TABLE members ADD COLUMN codes TEXT NOT NULL DEFAULT '[]';
    `,
  },
  {
    version: 5,
    name: "event filters",
    sql: `
      -- accessgw events --card/--reader: the (canonical, R1) card and the reader as columns, filled
      -- from each event's document for the events recorded before.
      ALTER TABLE events ADD COLUMN card TEXT;
      ALTER TABLE events ADD COLUMN reader_id TEXT;
      UPDATE events SET card = json_extract(doc, '$.card'), reader_id = json_extract(doc, '$.readerId');

      -- One index per filter, each ending in the listing's order (at, then seq: the rowid), so a
      -- filtered listing, its --since/--until range and --last N read only the rows they print.
      CREATE INDEX events_card ON events (card, at);
      CREATE INDEX events_member ON events (member_id, at);
      CREATE INDEX events_reader ON events (reader_id, at);
      CREATE INDEX events_reason ON events (reason, at);
    `,
  },
  {
    version: 6,
    name: "relayFailed on every event",
    sql: `
      -- cli.md: relayFailed is on every recorded event. Events recorded before the field existed
      -- get it once, here, so the code reads each event as stored. The requeue trigger is set aside
      -- meanwhile: this is no relay failure, and a flagged row would outlive its first ack.
      DROP TRIGGER outbox_requeue;
      UPDATE events SET doc = json_set(doc, '$.relayFailed', json('false'))
      WHERE json_type(doc, '$.relayFailed') IS NULL;
      CREATE TRIGGER outbox_requeue AFTER UPDATE OF doc ON events
      WHEN EXISTS (SELECT 1 FROM outbox WHERE seq = NEW.seq) BEGIN
        INSERT OR IGNORE INTO outbox_requeued (seq) VALUES (NEW.seq);
      END;
    `,
  },
  {
    version: 7,
    name: "site revision",
    sql: `
      -- Every write of the site configuration, by whichever process (an import while the daemon
      -- runs, a sync), bumps this revision; a process that keeps the configuration compiled reads
      -- it before each decision and reloads when it moved. Triggers, so no writer can forget it.
      CREATE TABLE site_revision (singleton INTEGER PRIMARY KEY CHECK (singleton = 1), rev INTEGER NOT NULL);
      INSERT INTO site_revision (singleton, rev) VALUES (1, 0);
      ${siteRevisionTriggers()}
    `,
  },
  {
    version: 8,
    name: "door pulse outcome",
    sql: `
      -- The door pulse of a grant at a reader with a door: 'pending' from the decision's
      -- transaction until the relay finished it ('done') or failed ('failed'); a start finds the
      -- grants a crash left pending and undoes the recent ones like a relay failure. NULL when no
      -- pulse follows (a deny, a grant without a door, a scan on the command line, older events).
      -- 'unknown': left pending too long ago to tell whether the door opened; left charged.
      ALTER TABLE events ADD COLUMN pulse TEXT;
      CREATE INDEX events_pulse_pending ON events (seq) WHERE pulse = 'pending';
    `,
  },
  {
    version: 9,
    name: "event kinds",
    sql: `
      -- doors.md D7: events of other kinds than decisions (a door's mode, an alarm, a front-desk
      -- command). Their decision column holds the kind too and their reason column stays empty.
      ALTER TABLE events ADD COLUMN kind TEXT NOT NULL DEFAULT 'decision';
      CREATE INDEX events_kind ON events (kind, at);
    `,
  },
  {
    version: 10,
    name: "member locale",
    sql: `
      -- doors.md D6: the member's language for messages at the reader (a BCP 47 tag), NULL when
      -- the member has none and the site's locale applies.
      ALTER TABLE members ADD COLUMN locale TEXT;
    `,
  },
  {
    version: 11,
    name: "front-desk commands",
    sql: `
      -- doors.md D5: a command is done once per id. A row is claimed 'pending' before the action
      -- and becomes 'done' with its result (CommandResult JSON) in the transaction that records the
      -- command event; a replayed id gets that result. A row a crash left 'pending' is never acted
      -- on again. Rows go after a week: a command whose id was forgotten is stale by then.
      CREATE TABLE commands (
        id TEXT PRIMARY KEY,
        received_at INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'done')),
        result TEXT
      ) WITHOUT ROWID;
      CREATE INDEX commands_received ON commands (received_at);
    `,
  },
  {
    version: 12,
    name: "doors: modes, passages, lockdown access",
    sql: `
      -- doors.md D3: staff and security pass a locked door.
      ALTER TABLE members ADD COLUMN lockdown_access INTEGER NOT NULL DEFAULT 0;

      -- D3: what holds each door's mode, so a restart puts every relay back before the first card:
      -- an emergency (by a fire input or a command: only a reset ends it), a command's mode and
      -- until, the first grant of a lockdownAccess member (firstPersonIn), and the mode last applied.
      CREATE TABLE door_state (
        door_id TEXT PRIMARY KEY,
        emergency TEXT,
        emergency_input TEXT,
        command_mode TEXT,
        command_until INTEGER,
        first_in_at INTEGER,
        mode TEXT NOT NULL DEFAULT 'normal',
        source TEXT,
        since INTEGER,
        until INTEGER,
        operator TEXT,
        reason TEXT
      ) WITHOUT ROWID;

      -- D2: provisional grants waiting for their passage, with the member's presence in the area
      -- as it was before the grant (restored when the grant is undone). Deleted when decided.
      CREATE TABLE passage_waits (
        seq INTEGER PRIMARY KEY,
        door_id TEXT NOT NULL,
        passage_input TEXT NOT NULL,
        deadline INTEGER NOT NULL,
        presence_before TEXT
      );
    `,
  },
  ...SITES_MIGRATIONS,
];

/**
 * The triggers of migration 7 (site revision): an insert or delete of site configuration bumps the revision, and so
 * does an update that changes a record (re-importing the same site changes nothing, R16).
 */
function siteRevisionTriggers(): string {
  const tables = ["site", "areas", "access_types", "products", "limits", "card_models"];
  const bump = "BEGIN UPDATE site_revision SET rev = rev + 1; END;";
  return tables
    .flatMap((t) => [
      `CREATE TRIGGER ${t}_insert_revision AFTER INSERT ON ${t} ${bump}`,
      `CREATE TRIGGER ${t}_update_revision AFTER UPDATE ON ${t} WHEN OLD.id IS NOT NEW.id OR OLD.doc IS NOT NEW.doc ${bump}`,
      `CREATE TRIGGER ${t}_delete_revision AFTER DELETE ON ${t} ${bump}`,
    ])
    .join("\n");
}

/** Brings a database to the newest schema version; refuses one newer than this program knows. */
export function migrate(db: Database.Database): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  const newest = MIGRATIONS.at(-1)?.version ?? 0;
  if (current > newest)
    throw new Error(
      `the cache was written by a newer accessgw (schema ${current}, this program knows ${newest})`,
    );
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      m.convert?.(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}

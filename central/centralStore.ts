/**
 * The reference central's SQLite store (`central.db` in its data folder): the site and config
 * revisions, the members as the files give them and as they are published, tombstones of deleted
 * members, the ledger entries and events received from gateways, and each gateway's ack watermark
 * and last status. WAL with `synchronous=FULL`: what the central acks must survive a power cut
 * (sync.md: acks mean "durably stored"). No MQTT here, so every query is unit-testable.
 */
import { closeSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { AccessGwError } from "../config/errors.js";
import { SqliteStore } from "../runtime/sqliteStore.js";

/** The file name of the central's database inside its data folder. */
export const CENTRAL_DB_FILE = "central.db";

/** Migrations in order; `user_version` counts the ones applied. */
const MIGRATIONS: string[][] = [
  [
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    // base: the member as the files give it; doc: as published (ledgers folded); rev: of its last change.
    `CREATE TABLE members (id TEXT PRIMARY KEY, base TEXT NOT NULL, doc TEXT NOT NULL,
       bytes INTEGER NOT NULL, rev INTEGER NOT NULL)`,
    "CREATE INDEX members_rev ON members (rev)",
    "CREATE TABLE tombstones (id TEXT PRIMARY KEY, rev INTEGER NOT NULL)",
    "CREATE INDEX tombstones_rev ON tombstones (rev)",
    // Which member owns a multipack in the files: where a received ledger entry is folded.
    "CREATE TABLE multipacks (id TEXT PRIMARY KEY, member_id TEXT NOT NULL)",
    "CREATE INDEX multipacks_member ON multipacks (member_id)",
    // Ledger entry ids the files hold: a received entry with such an id is never folded twice.
    "CREATE TABLE file_ledger (id TEXT PRIMARY KEY, member_id TEXT NOT NULL)",
    "CREATE INDEX file_ledger_member ON file_ledger (member_id)",
    `CREATE TABLE ledger (id TEXT PRIMARY KEY, multipack_id TEXT NOT NULL, member_id TEXT,
       gateway_id TEXT NOT NULL, entry TEXT NOT NULL, received_at INTEGER NOT NULL)`,
    "CREATE INDEX ledger_multipack ON ledger (multipack_id)",
    `CREATE TABLE events (id TEXT PRIMARY KEY, gateway_id TEXT NOT NULL, seq INTEGER NOT NULL,
       relay_failed INTEGER NOT NULL, doc TEXT NOT NULL, received_at INTEGER NOT NULL,
       UNIQUE (gateway_id, seq))`,
    // site_id: from the gateway's hello (null until one arrives); online: null until a status arrives.
    `CREATE TABLE gateways (id TEXT PRIMARY KEY, site_id TEXT, watermark INTEGER NOT NULL DEFAULT 0,
       online INTEGER, status TEXT, status_at INTEGER, hello TEXT, hello_at INTEGER)`,
  ],
  [
    // A chain (sync.md, R20): events of another site of the chain, relayed so that their visits and
    // ledger entries reach this site's gateways; null for events of this site's own gateways.
    "ALTER TABLE events ADD COLUMN site TEXT",
  ],
  [
    // sync.md "Sites with several gateways": every grant with a member (a movement, R11/R12; a counted
    // visit, R5/R7/R8, when `visit` = 1), read by member for the visits and presence of its document.
    // A narrow table and not an index on events: typed columns read without parsing each event's
    // JSON (denies included), and the sticky `undone` in one place. site: as in events.
    `CREATE TABLE movements (id TEXT PRIMARY KEY, member_id TEXT NOT NULL, site TEXT,
       at TEXT NOT NULL, at_ms INTEGER NOT NULL, area TEXT NOT NULL, direction TEXT NOT NULL,
       visit INTEGER NOT NULL, access_type TEXT, multipack TEXT, product TEXT,
       credits INTEGER NOT NULL, undone INTEGER NOT NULL)`,
    "CREATE INDEX movements_member ON movements (member_id, at_ms)",
    // A store from before: its events are folded once and every document refreshed (reconcile).
    "INSERT INTO meta (key, value) SELECT 'refold', '1' WHERE EXISTS (SELECT 1 FROM members)",
  ],
];

/** Keys of the `meta` table. */
type MetaKey = "site_id" | "config_rev" | "config" | "site_rev" | "published_rev" | "refold";

/** The central's database; constructed by `open`, which creates and migrates it. */
export class CentralStore extends SqliteStore<MetaKey> {
  private constructor(dir: string, db: Database.Database) {
    super(dir, db);
  }

  /** Opens (creating when missing) the store in `dir`; throws AccessGwError STORE when it cannot. */
  static open(dir: string): CentralStore {
    let db: Database.Database | undefined;
    try {
      // Member data (names, cards, usage): a new folder and store are their owner's only, whatever
      // the umask; SQLite gives the -wal and -shm files the store's own mode.
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const file = join(dir, CENTRAL_DB_FILE);
      closeSync(openSync(file, "a", 0o600));
      db = new Database(file);
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = FULL");
      db.pragma("busy_timeout = 5000");
      migrate(db);
      return new CentralStore(dir, db);
    } catch (err) {
      db?.close();
      throw new AccessGwError(
        "STORE",
        `cannot open the central's store in ${dir}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }

  /** Runs `fn` in one IMMEDIATE transaction (nested calls become savepoints). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** The site revision: the rev of the last `changes` taken (0: none yet). */
  siteRev(): number {
    return Number(this.meta("site_rev") ?? 0);
  }

  /** The highest rev whose `changes` message the broker has acknowledged (or that needs no message). */
  publishedRev(): number {
    return Number(this.meta("published_rev") ?? 0);
  }

  /** The config revision (0: no config stored yet). */
  configRev(): number {
    return Number(this.meta("config_rev") ?? 0);
  }

  /** The stored config document as JSON text, or undefined before the first start. */
  configJson(): string | undefined {
    return this.meta("config");
  }

  /** Closes the database. */
  close(): void {
    if (this.db.open) this.db.close();
  }
}

function migrate(db: Database.Database): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > MIGRATIONS.length)
    throw new Error(
      `the store is from a newer accessgw (schema ${version}, this one knows ${MIGRATIONS.length})`,
    );
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      for (const sql of MIGRATIONS[v] as string[]) db.exec(sql);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

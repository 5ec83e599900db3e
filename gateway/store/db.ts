import { closeSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { AccessGwError } from "../../config/errors.js";
import type { SiteConfig, SiteInfo } from "../../config/site.js";
import { SqliteStore } from "../../runtime/sqliteStore.js";
import { newFileMode, OWNER_ONLY } from "./dataFolder.js";
import { migrate } from "./migrations.js";
import { SITE_TABLES } from "./siteTables.js";
import { WalGate } from "./walGate.js";

export type Synchronous = "FULL" | "NORMAL" | "OFF";

export interface StoreOptions {
  /** SQLite `synchronous`: FULL (default) so that a granted entry survives a power cut. */
  synchronous?: Synchronous;
}

/** The file name of the cache inside a data folder. */
export const DB_FILE = "accessgw.db";

/**
 * The SQLite cache of one data folder: WAL mode, `synchronous=FULL` by default, migrated on open.
 * Queries live in the modules beside this one and use `prepare`, which caches statements.
 */
export class Store extends SqliteStore {
  /** The `synchronous` level decisions commit with (FULL unless the caller chose otherwise). */
  readonly synchronous: Synchronous;
  /** Where bulk writers (sync chunks) wait while the checkpointer finishes (walGate.ts). */
  readonly walGate = new WalGate();
  private siteCache: SiteConfig | null | undefined;
  /** The site revision siteCache was read at. */
  private siteRev = -1;

  private constructor(dir: string, db: Database.Database, synchronous: Synchronous) {
    super(dir, db);
    this.synchronous = synchronous;
  }

  /** Opens (creating when missing) the cache in `dir`. */
  static open(dir: string, options: StoreOptions = {}): Store {
    let db: Database.Database | undefined;
    try {
      // Member data: a new folder is its owner's only, a new cache file too (dataFolder.ts); SQLite
      // gives the -wal and -shm files it creates the cache file's mode.
      mkdirSync(dir, { recursive: true, mode: OWNER_ONLY.folderMode });
      const file = join(dir, DB_FILE);
      createIfMissing(file, newFileMode(dir));
      db = new Database(file);
      db.pragma("journal_mode = WAL");
      db.pragma(`synchronous = ${options.synchronous ?? "FULL"}`);
      db.pragma("foreign_keys = ON");
      db.pragma("busy_timeout = 5000");
      // A multi-row statement keeps a statement journal, which SQLite moves to a temporary file on
      // disk past 64 KiB, and the transaction's later statements then write theirs there too:
      // measured, that made bulk writes slower than one row per statement (issue 12 §4). Kept in
      // memory, a statement journal holds the pages one statement changes, a few hundred KiB at most.
      db.pragma("temp_store = MEMORY");
      migrate(db);
      return new Store(dir, db, options.synchronous ?? "FULL");
    } catch (err) {
      db?.close();
      if (err instanceof AccessGwError) throw err;
      throw new AccessGwError("STORE", `cannot open the cache in ${dir}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  /**
   * Runs one transaction of bulk sync work (a chunk of a sync part). Committed with the level
   * decisions use: measured, `synchronous = NORMAL` here saved little with chunks of a few ms, and
   * the next decision's FULL commit then had to flush every chunk's WAL pages, slowing it down.
   */
  bulk<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /**
   * The stored site configuration, or null before the first import of a site. Kept between calls
   * while the site revision (migration 5) stays where it was: an import or a sync by any process
   * is in force for the next decision, at the cost of one row read.
   */
  siteConfig(): SiteConfig | null {
    const rev = this.prepare("SELECT rev FROM site_revision").pluck().get() as number;
    if (this.siteCache !== undefined && this.siteRev === rev) return this.siteCache;
    // Read inside a transaction, the configuration may yet be rolled back (and its revision with it).
    if (this.db.inTransaction) return this.readSite();
    this.siteCache = this.readSite();
    this.siteRev = rev;
    return this.siteCache;
  }

  private readSite(): SiteConfig | null {
    const site = this.prepare("SELECT doc FROM site WHERE singleton = 1").get() as
      | { doc: string }
      | undefined;
    if (!site) return null;
    const all = (table: string) =>
      (this.prepare(`SELECT doc FROM ${table} ORDER BY id`).all() as { doc: string }[]).map(
        (r) => JSON.parse(r.doc) as unknown,
      );
    const records = Object.fromEntries(SITE_TABLES.map(([key, table]) => [key, all(table)]));
    return { site: JSON.parse(site.doc) as SiteInfo, ...records } as SiteConfig;
  }

  close(): void {
    this.db.close();
  }
}

/** Creates an empty file with `mode` unless it exists (the umask cannot widen it, only narrow it). */
function createIfMissing(file: string, mode: number): void {
  try {
    closeSync(openSync(file, "wx", mode));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
}

/** The sync revisions and times kept in the cache (migration 2). */
export interface SyncState {
  lastRev: number;
  configRev: number;
  /** Last successful sync (ms), or null: the offline policy counts staleness from it. */
  lastSyncAt: number | null;
  configRejected: { rev: number; problems: string[] } | null;
}

/** The sync state stored in the cache. */
export function syncState(store: Store): SyncState {
  const r = store
    .prepare("SELECT last_rev, config_rev, last_sync_at, config_rejected FROM sync_state")
    .get() as {
    last_rev: number;
    config_rev: number;
    last_sync_at: number | null;
    config_rejected: string | null;
  };
  return {
    lastRev: r.last_rev,
    configRev: r.config_rev,
    lastSyncAt: r.last_sync_at,
    configRejected: r.config_rejected === null ? null : JSON.parse(r.config_rejected),
  };
}

/** Records the applied config revision (clears a rejection); call in the config's transaction. */
export function setConfigRev(store: Store, rev: number, now: number): void {
  store
    .prepare("UPDATE sync_state SET config_rev = ?, config_rejected = NULL, last_sync_at = ?")
    .run(rev, now);
}

/** Records a config refused whole (the previous one stays in force) for the status. */
export function setConfigRejected(store: Store, rev: number, problems: string[]): void {
  store.prepare("UPDATE sync_state SET config_rejected = ?").run(JSON.stringify({ rev, problems }));
}

/** Records a successful exchange with the central (e.g. a hello answered with nothing to do). */
export function markSynced(store: Store, now: number): void {
  store.prepare("UPDATE sync_state SET last_sync_at = ?").run(now);
}

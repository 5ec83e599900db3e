/**
 * `accessgw backup`: a consistent copy of a data folder's cache, taken with SQLite's online backup
 * API while the daemon runs. What the copy is (gateway id, schema version, highest event seq, when,
 * by which version) is written inside it, in its `meta` table under BACKUP_KEY, so the copy is one
 * self-contained file that cannot lose its description on the way to a USB stick.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import Database from "better-sqlite3";
import { AccessGwError } from "../../config/errors.js";
import { DB_FILE } from "./db.js";

/** The `meta` key of a backup's description (present only in backups, removed by restore). */
export const BACKUP_KEY = "backup";
/** Says that a file is one of ours, whatever else is in it. */
export const BACKUP_FORMAT = "accessgw-backup/1";

/** What a backup records about itself. */
export interface BackupInfo {
  format: typeof BACKUP_FORMAT;
  /** The gateway the cache recorded its events as (null: no event recorded yet). */
  gatewayId: string | null;
  /** `user_version` of the cache when it was copied. */
  schemaVersion: number;
  /** The highest event seq ever handed out in the copy (0 before the first event). */
  highestSeq: number;
  /** When the copy was taken (ISO 8601). */
  takenAt: string;
  /** The accessgw version that took it. */
  version: string;
  /** Where it was taken from (the data folder), for the operator reading it back. */
  dataDir: string;
}

/** What a backup wrote: its description, its file and size, and how long the copy took. */
export interface BackupOutcome extends BackupInfo {
  file: string;
  bytes: number;
  pages: number;
  ms: number;
}

/** What takeBackup is handed. */
export interface BackupOptions {
  dataDir: string;
  /** The backup file to write (replaced whole, never half-written: a temp name then rename). */
  to: string;
  version: string;
  /** The instant recorded as takenAt (ms). */
  now: number;
  /** Measures the copy (performance.now by default). */
  timer?: () => number;
}

/**
 * The source is read by its own connection. In WAL mode a reader never blocks the daemon's writes,
 * but SQLite restarts a step-wise backup whenever another connection writes the source, so under
 * a steady stream of scans small steps could restart for ever. The copy is therefore made in ONE
 * step: one read transaction, one consistent snapshot, while the daemon keeps committing to the WAL
 * (its checkpoints are PASSIVE and simply wait for this reader to finish).
 */
const ALL_PAGES = 0x7fffffff;

/** Copies the cache of `dataDir` to `to` (0600), with its description inside; see the file comment. */
export async function takeBackup(o: BackupOptions): Promise<BackupOutcome> {
  const source = join(o.dataDir, DB_FILE);
  const timer = o.timer ?? (() => performance.now());
  let src: Database.Database;
  try {
    src = new Database(source, { fileMustExist: true });
  } catch (err) {
    throw new AccessGwError("STORE", `there is no cache to back up in ${o.dataDir} (${why(err)})`, {
      cause: err,
    });
  }
  const temp = join(dirname(o.to), `.${basename(o.to)}.${process.pid}.tmp`);
  try {
    src.pragma("busy_timeout = 5000");
    // Created 0600 before SQLite writes a byte of member data into it; SQLite keeps the mode.
    closeSync(openSync(temp, "w", 0o600));
    const started = timer();
    const copied = await src.backup(temp, { progress: () => ALL_PAGES });
    const ms = timer() - started;
    const info = describeCopy(temp, o);
    const fd = openSync(temp, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, o.to);
    syncFolder(dirname(o.to));
    return { ...info, file: o.to, bytes: statSync(o.to).size, pages: copied.totalPages, ms };
  } catch (err) {
    rmSync(temp, { force: true });
    if (err instanceof AccessGwError) throw err;
    throw new AccessGwError("STORE", `backup to ${o.to} failed: ${why(err)}`, { cause: err });
  } finally {
    src.close();
  }
}

/**
 * Makes the copy one self-contained file (rollback journal, no -wal beside it), checks it and
 * writes its description into it.
 */
function describeCopy(file: string, o: BackupOptions): BackupInfo {
  const db = new Database(file);
  try {
    db.pragma("journal_mode = DELETE");
    const check = db.pragma("quick_check", { simple: true });
    if (check !== "ok") throw new Error(`the copy fails SQLite's integrity check: ${String(check)}`);
    const info: BackupInfo = {
      format: BACKUP_FORMAT,
      gatewayId:
        (db.prepare("SELECT value FROM meta WHERE key = 'gateway_id'").pluck().get() as string) ?? null,
      schemaVersion: db.pragma("user_version", { simple: true }) as number,
      highestSeq: highestSeq(db),
      takenAt: new Date(o.now).toISOString(),
      version: o.version,
      dataDir: o.dataDir,
    };
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)").run(
      BACKUP_KEY,
      JSON.stringify(info),
    );
    return info;
  } finally {
    db.close();
  }
}

/** The highest seq ever handed out (AUTOINCREMENT keeps it even when the newest event is gone). */
export function highestSeq(db: Database.Database): number {
  const row = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'").pluck().get() as
    | number
    | undefined;
  return row ?? 0;
}

/**
 * Reads a backup's description; a file that is not an SQLite database or carries no description of
 * ours is refused (DATA_INVALID: exit 2) with what was found.
 */
export function readBackupInfo(file: string): BackupInfo {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new AccessGwError("DATA_INVALID", `${file}: cannot open it (${why(err)})`, { cause: err });
  }
  try {
    let text: string | undefined;
    try {
      text = db.prepare("SELECT value FROM meta WHERE key = ?").pluck().get(BACKUP_KEY) as string | undefined;
    } catch (err) {
      throw notOurs(file, why(err));
    }
    if (text === undefined) throw notOurs(file, "it has no backup description (a cache, not a backup?)");
    const info = parseInfo(text);
    if (info === null) throw notOurs(file, "its backup description is not one this version reads");
    return info;
  } finally {
    db.close();
  }
}

function parseInfo(text: string): BackupInfo | null {
  try {
    const v = JSON.parse(text) as Partial<BackupInfo>;
    const ok =
      v.format === BACKUP_FORMAT &&
      (v.gatewayId === null || typeof v.gatewayId === "string") &&
      Number.isInteger(v.schemaVersion) &&
      Number.isInteger(v.highestSeq) &&
      typeof v.takenAt === "string";
    return ok ? (v as BackupInfo) : null;
  } catch {
    return null;
  }
}

function notOurs(file: string, why: string): AccessGwError {
  return new AccessGwError("DATA_INVALID", `${file} is not an accessgw backup: ${why}`);
}

/** Makes a rename durable: the folder's entry is flushed too. */
export function syncFolder(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** An error's message with its SQLite code, e.g. `SQLITE_NOTADB: file is not a database`. */
export function why(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  return typeof code === "string" && !message.includes(code) ? `${code}: ${message}` : message;
}

/**
 * `accessgw restore`: puts a backup back as a data folder's cache. The file is checked (ours,
 * whole, of this gateway) and migrated as the cache is on open before anything in the folder is
 * touched; the cache it replaces is kept aside, never deleted; the restored cache is marked "seq
 * unconfirmed" (seqRestore.ts). Whether a daemon runs on the folder is checked by the caller.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { AccessGwError } from "../../config/errors.js";
import { BACKUP_KEY, type BackupInfo, highestSeq, readBackupInfo, syncFolder, why } from "./backupFile.js";
import { newFileMode, OWNER_ONLY } from "./dataFolder.js";
import { DB_FILE } from "./db.js";
import { migrate } from "./migrations.js";
import { RESTORED_KEY } from "./seqRestore.js";

/** What restoreBackup is handed. */
export interface RestoreOptions {
  from: string;
  dataDir: string;
  /** The gateway id this box runs as (config, environment or host name). */
  gatewayId: string;
  /** Restore a backup of another gateway all the same. */
  force: boolean;
  /** The instant in the kept-aside cache's name (ms). */
  now: number;
}

/** What a restore did. */
export interface RestoreOutcome {
  backup: BackupInfo;
  dataDir: string;
  /** Where the replaced cache went, or null when the folder had none. */
  keptAside: string | null;
  /** The schema version after the migration on open. */
  schemaVersion: number;
  /** The restored seq counter, unconfirmed until the central answers (seqRestore.ts). */
  seqThrough: number;
  /** Set when --force let a backup of another gateway through: the id it records events as. */
  otherGateway: string | null;
}

/** Restores `from` into `dataDir`; see the file comment. Throws AccessGwError (exit 2 for a bad file). */
export function restoreBackup(o: RestoreOptions): RestoreOutcome {
  const backup = readBackupInfo(o.from);
  const other = backup.gatewayId !== null && backup.gatewayId !== o.gatewayId ? backup.gatewayId : null;
  if (other !== null && !o.force)
    throw new AccessGwError(
      "GATEWAY_ID_MISMATCH",
      `${o.from} is a backup of gateway "${other}", this one is "${o.gatewayId}": restoring it here would record events as "${other}"; ` +
        `set gateway.id to "${other}" (a replacement box) or add --force`,
    );
  mkdirSync(o.dataDir, { recursive: true, mode: OWNER_ONLY.folderMode });
  const temp = join(o.dataDir, `.restore-${process.pid}.db`);
  let prepared: { schemaVersion: number; seqThrough: number };
  try {
    copyFileSync(o.from, temp);
    chmodSync(temp, newFileMode(o.dataDir));
    prepared = prepare(temp, o.from);
  } catch (err) {
    rmSync(temp, { force: true });
    rmSync(`${temp}-wal`, { force: true });
    rmSync(`${temp}-shm`, { force: true });
    throw err;
  }
  const keptAside = keepAside(o.dataDir, o.now);
  renameSync(temp, join(o.dataDir, DB_FILE));
  syncFolder(o.dataDir);
  return { backup, dataDir: o.dataDir, keptAside, ...prepared, otherGateway: other };
}

/** Checks the copy, migrates it, and marks it restored (its description goes: it is a cache again). */
function prepare(file: string, from: string): { schemaVersion: number; seqThrough: number } {
  const db = new Database(file);
  try {
    const check = db.pragma("integrity_check", { simple: true });
    if (check !== "ok")
      throw new AccessGwError(
        "DATA_INVALID",
        `${from} is damaged: SQLite's integrity check says ${String(check)}`,
      );
    try {
      migrate(db);
    } catch (err) {
      throw new AccessGwError("DATA_INVALID", `${from} cannot be restored: ${why(err)}`, { cause: err });
    }
    const seqThrough = highestSeq(db);
    db.transaction(() => {
      db.prepare("DELETE FROM meta WHERE key = ?").run(BACKUP_KEY);
      db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)").run(
        RESTORED_KEY,
        String(seqThrough),
      );
    })();
    // The cache's own mode (db.ts); the switch writes no -wal until the daemon opens it.
    db.pragma("journal_mode = WAL");
    return { schemaVersion: db.pragma("user_version", { simple: true }) as number, seqThrough };
  } finally {
    db.close();
  }
}

/**
 * Renames the cache in `dir` (with its -wal and -shm, so what was committed there stays readable)
 * to `accessgw.db.before-restore-<time>`; returns the new name, or null when there was none.
 */
function keepAside(dir: string, now: number): string | null {
  const cache = join(dir, DB_FILE);
  if (!existsSync(cache)) return null;
  const stamp = new Date(now).toISOString().replace(/[:.]/g, "-");
  const aside = `${cache}.before-restore-${stamp}`;
  for (const suffix of ["-wal", "-shm"])
    if (existsSync(cache + suffix)) renameSync(cache + suffix, aside + suffix);
  renameSync(cache, aside);
  return aside;
}

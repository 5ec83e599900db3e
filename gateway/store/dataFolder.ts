/**
 * Who may read a data folder. It holds member data (names, cards, visits), so by default only its
 * owner: the folder 0700 and every file 0600 (the database, its -wal and -shm, status.json, temp
 * files, the status socket), whatever the umask. `gateway.dataGroup` widens that on purpose to a
 * group (e.g. the front desk's): the folder 2750 (setgid, so files created later by any accessgw
 * process get the group too) and the files 0640, owned by that group — but for the console's
 * logins (users.json: password hashes), which stay the owner's alone.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { AccessGwError } from "../../config/errors.js";

/** The console's logins (web/users.ts USERS_FILE): password hashes, the owner's alone in any case. */
const OWNER_ONLY_FILE = "users.json";

/** The modes of a data folder and its files. */
export interface DataAccess {
  folderMode: number;
  fileMode: number;
  /** The group that may read (gateway.dataGroup), or null: the owner only. */
  group: { name: string; gid: number } | null;
}

/** Only the owner: the default. */
export const OWNER_ONLY: DataAccess = { folderMode: 0o700, fileMode: 0o600, group: null };

/** The modes for gateway.dataGroup: the group reads, nobody else. */
export function groupAccess(group: { name: string; gid: number }): DataAccess {
  return { folderMode: 0o2750, fileMode: 0o640, group };
}

/** The mode of a file created in `dir`: readable by the group when the folder is (gateway.dataGroup). */
export function newFileMode(dir: string): number {
  return statSync(dir).mode & 0o050 ? 0o640 : 0o600;
}

/** A group's id from its name (through getent, so LDAP and other NSS groups count) or its number. */
export function resolveGroup(name: string): number {
  if (/^\d+$/.test(name)) return Number(name);
  let line: string;
  try {
    line = execFileSync("getent", ["group", name], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    throw new AccessGwError(
      "CONFIG_INVALID",
      `gateway.dataGroup: there is no group "${name}" on this system`,
    );
  }
  const gid = Number(line.split(":")[2]);
  if (!Number.isInteger(gid))
    throw new AccessGwError("CONFIG_INVALID", `gateway.dataGroup: cannot read the id of group "${name}"`);
  return gid;
}

/** One correction made to the data folder, for the log. */
export interface AccessChange {
  path: string;
  mode?: { from: string; to: string };
  gid?: { from: number; to: number };
}

const octal = (mode: number) => `0${(mode & 0o7777).toString(8)}`;

/** What secureDataFolder changed, and what it could not change (a file the daemon's user does not own). */
export interface SecureOutcome {
  changes: AccessChange[];
  /** Each path it could not correct, with why; the daemon runs all the same (doors first) and says so. */
  failures: { path: string; error: string }[];
}

/**
 * Creates the folder when missing and brings it and everything in it (files, sockets, folders,
 * recursively; symbolic links are left alone) to `access`.
 */
export function secureDataFolder(dir: string, access: DataAccess): SecureOutcome {
  mkdirSync(dir, { recursive: true, mode: access.folderMode & 0o777 });
  const outcome: SecureOutcome = { changes: [], failures: [] };
  const visit = (path: string) => {
    try {
      const change = secureOne(path, access);
      if (change.mode || change.gid) outcome.changes.push(change);
      if (lstatSync(path).isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const why = e.code ?? e.message;
      outcome.failures.push({
        path,
        error:
          e.syscall === "chown" && access.group
            ? `${why}: the daemon's user must be a member of group "${access.group.name}" (gateway.dataGroup)`
            : why,
      });
    }
  };
  visit(dir);
  return outcome;
}

/** Corrects one path's mode and group; returns what it changed. */
function secureOne(path: string, access: DataAccess): AccessChange {
  const st = lstatSync(path);
  const change: AccessChange = { path };
  if (st.isSymbolicLink()) return change;
  const mode = st.isDirectory()
    ? access.folderMode
    : basename(path) === OWNER_ONLY_FILE
      ? 0o600 // password hashes: never the group's to read
      : access.fileMode;
  if ((st.mode & 0o7777) !== mode) {
    chmodSync(path, mode);
    change.mode = { from: octal(st.mode), to: octal(mode) };
  }
  const gid = access.group?.gid;
  if (gid !== undefined && st.gid !== gid) {
    chownSync(path, -1, gid);
    change.gid = { from: st.gid, to: gid };
    // chown clears the setgid bit of a folder on some systems: set the mode again.
    if (st.isDirectory()) chmodSync(path, mode);
  }
  return change;
}

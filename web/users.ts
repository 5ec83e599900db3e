/**
 * The console's users: `users.json` in a data folder (the gateway's, or the central's), each user
 * with a role and a scrypt hash (passwords.ts), never a password. The command line writes it
 * (`accessgw user …`) while the daemon runs; the daemon re-reads it when it changes on disk, so a new
 * user can log in and a removed one is out at once, without a restart. Written whole to a temp file
 * and renamed (a reader never sees half a file), the file 0600 and a new folder 0700: the hashes are
 * secrets.
 */
import {
  closeSync,
  fchownSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { AccessGwError } from "../config/errors.js";
import { hashPassword, isPasswordHash } from "./passwords.js";
import { ROLES, type Role } from "./webTypes.js";

/** The file's name in the data folder. */
export const USERS_FILE = "users.json";

/** What a user name may be: lower-case letters, digits, `.`, `_`, `-`; 1–32 long, starting with a letter or digit. */
export const USER_NAME = /^[a-z0-9][a-z0-9._-]{0,31}$/;

const UserRecord = z.object({
  name: z.string().regex(USER_NAME),
  role: z.enum(ROLES),
  hash: z.string().refine(isPasswordHash, "not a scrypt hash this version can read"),
  created: z.iso.datetime(),
  changed: z.iso.datetime(),
});
const UsersDocument = z.object({ version: z.literal(1), users: z.array(UserRecord) });

/** One user as stored (the hash included: only the login path and the file itself see it). */
export type UserRecord = z.infer<typeof UserRecord>;

/** One user as listed: everything but the hash. */
export type UserInfo = Omit<UserRecord, "hash">;

/** Why a name is refused, or undefined when it is a good one. */
export function userNameProblem(name: string): string | undefined {
  if (name === "") return "a user name cannot be empty";
  if (name.length > 32) return `"${name}" is ${name.length} characters long; a user name has at most 32`;
  if (/[A-Z]/.test(name))
    return `"${name}" has capital letters; user names are lower case (${name.toLowerCase()})`;
  if (!USER_NAME.test(name))
    return `"${name}" is not a user name: use lower-case letters, digits, ".", "_" and "-", starting with a letter or digit`;
  return undefined;
}

/** The role named by `text`, or a refusal listing the roles. */
export function asRole(text: string | undefined): Role {
  const role = ROLES.find((r) => r === text);
  if (!role)
    throw new AccessGwError(
      "USER_INVALID",
      text === undefined
        ? `a role is needed: ${ROLES.join(", ")}`
        : `"${text}" is not a role (the roles: ${ROLES.join(", ")})`,
    );
  return role;
}

/** The users of one data folder. */
export class UsersFile {
  /** The file's path. */
  readonly path: string;
  private readonly dir: string;
  private readonly now: () => number;
  private cached: { stamp: string; users: UserRecord[] } | undefined;

  constructor(dir: string, now: () => number) {
    this.dir = dir;
    this.path = join(dir, USERS_FILE);
    this.now = now;
  }

  /** Every user, read again when the file changed since the last read; none when there is no file. */
  records(): readonly UserRecord[] {
    let stamp: string;
    try {
      const st = statSync(this.path);
      // A rename gives a new inode; the size and mtime catch an edit in place.
      stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
    if (this.cached?.stamp !== stamp)
      this.cached = { stamp, users: this.parse(readFileSync(this.path, "utf8")) };
    return this.cached.users;
  }

  /** The users without their hashes, by name. */
  list(): UserInfo[] {
    return this.records()
      .map(({ hash: _hash, ...info }) => info)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The user of this name, hash included. */
  find(name: string): UserRecord | undefined {
    return this.records().find((u) => u.name === name);
  }

  /** Adds a user; refuses a bad name, a bad password or a name already taken. */
  async add(name: string, role: Role, password: string): Promise<UserInfo> {
    const problem = userNameProblem(name);
    if (problem) throw new AccessGwError("USER_INVALID", problem);
    if (this.find(name))
      throw new AccessGwError(
        "USER_INVALID",
        `${name} already exists (change the password with user passwd, or remove it first)`,
      );
    const hash = await hashPassword(password);
    const at = new Date(this.now()).toISOString();
    const user: UserRecord = { name, role, hash, created: at, changed: at };
    // Read again after the (slow) hash: another command may have written meanwhile.
    this.write([...this.records().filter((u) => u.name !== name), user]);
    return withoutHash(user);
  }

  /** Sets a new password; the user's sessions end at their next request (sessions.ts). */
  async passwd(name: string, password: string): Promise<UserInfo> {
    this.known(name);
    const hash = await hashPassword(password);
    const at = new Date(this.now()).toISOString();
    const user = { ...this.known(name), hash, changed: at };
    this.write(this.records().map((u) => (u.name === name ? user : u)));
    return withoutHash(user);
  }

  /** Removes a user; their sessions end at their next request. */
  remove(name: string): UserInfo {
    const user = this.known(name);
    this.write(this.records().filter((u) => u.name !== name));
    return withoutHash(user);
  }

  /** The user of this name, or a refusal naming the users there are. */
  private known(name: string): UserRecord {
    const user = this.find(name);
    if (user) return user;
    const names = this.records().map((u) => u.name);
    throw new AccessGwError(
      "UNKNOWN_USER",
      `there is no user ${name} in ${this.path} (${names.length > 0 ? `users: ${names.join(", ")}` : "no users yet"})`,
    );
  }

  private parse(text: string): UserRecord[] {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new AccessGwError("DATA_INVALID", `${this.path}: not JSON (${(err as Error).message})`);
    }
    const parsed = UsersDocument.safeParse(json);
    if (!parsed.success) {
      const problems = parsed.error.issues.map(
        (i) => `${this.path}: ${i.path.join(".") || "(top)"}: ${i.message}`,
      );
      throw new AccessGwError("DATA_INVALID", problems.join("\n"), { problems });
    }
    return parsed.data.users;
  }

  /** Writes the whole file: temp file 0600, fsync, rename; a new folder is 0700. */
  private write(users: UserRecord[]): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const temp = `${this.path}.${process.pid}.tmp`;
    const fd = openSync(temp, "w", 0o600);
    try {
      writeSync(fd, `${JSON.stringify({ version: 1, users }, null, 2)}\n`);
      fsyncSync(fd);
      ownLikeFolder(fd, this.dir);
      closeSync(fd);
    } catch (err) {
      closeSync(fd);
      rmSync(temp, { force: true });
      throw err;
    }
    renameSync(temp, this.path);
    this.cached = undefined;
  }
}

/**
 * Run as root (`sudo accessgw user add …`), the file takes the data folder's owner and group: the
 * daemon runs as its own user and must be able to read it.
 */
function ownLikeFolder(fd: number, dir: string): void {
  if (process.getuid?.() !== 0) return;
  const st = statSync(dir);
  if (st.uid !== 0 || st.gid !== 0) fchownSync(fd, st.uid, st.gid);
}

function withoutHash({ hash: _hash, ...info }: UserRecord): UserInfo {
  return info;
}

/**
 * What the daemon could not write, as status problems: a cache that cannot be written (a full
 * disk: SQLITE_FULL; a failing card: SQLITE_IOERR) refuses every scan, and a status.json that
 * cannot be rewritten would make the daemon look dead. Both are named until a write succeeds.
 */

/** One kind of write that is failing: since when, and the error's code and words. */
interface Failing {
  since: number;
  error: string;
}

/** SQLite result codes of a store that cannot write, rather than of a bug in a statement. */
const STORAGE_SQLITE =
  /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB|BUSY|LOCKED|PERM|PROTOCOL|NOLFS|AUTH)/;
/** File system errors of a disk or folder that cannot be written. */
const STORAGE_ERRNO = /^(ENOSPC|EDQUOT|EIO|EROFS|EACCES|EPERM|ENOENT|EISDIR|ENOTDIR|EMFILE|ENFILE)$/;

/** The error's code and message, when it is the storage's (not a bug in the gateway): else undefined. */
export function storageError(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !(STORAGE_SQLITE.test(code) || STORAGE_ERRNO.test(code))) return undefined;
  const message = err instanceof Error ? err.message : String(err);
  return message.includes(code) ? message : `${code}: ${message}`;
}

/** Tracks the cache's and the status file's writes; `problems()` names what is failing. */
export class StorageHealth {
  private cache: Failing | null = null;
  private statusFile: Failing | null = null;

  constructor(private readonly clock: () => number) {}

  /** A write to the cache failed; true when the storage failed (the problem is now named). */
  cacheFailed(err: unknown): boolean {
    const error = storageError(err);
    if (error === undefined) return false;
    this.cache = { since: this.cache?.since ?? this.clock(), error };
    return true;
  }

  /** A write to the cache succeeded: the problem, if any, is gone. */
  cacheWritten(): void {
    this.cache = null;
  }

  /** Writing status.json failed. */
  statusFileFailed(err: unknown): void {
    const error = storageError(err) ?? (err instanceof Error ? err.message : String(err));
    this.statusFile = { since: this.statusFile?.since ?? this.clock(), error };
  }

  /** status.json was written. */
  statusFileWritten(): void {
    this.statusFile = null;
  }

  /** The problems of status (each starting with its code), none while every write succeeds. */
  problems(): string[] {
    const problems: string[] = [];
    if (this.cache)
      problems.push(
        `storageFailed: the cache cannot be written since ${iso(this.cache.since)} (${this.cache.error}); scans are refused and not recorded until it can`,
      );
    if (this.statusFile)
      problems.push(
        `statusFileFailed: status.json cannot be written since ${iso(this.statusFile.since)} (${this.statusFile.error}); accessgw status asks the daemon directly`,
      );
    return problems;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

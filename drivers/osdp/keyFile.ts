/**
 * An OSDP PD's secure channel base key (SCBK) on disk: 32 hex digits in a file only the daemon's
 * user may read. The path comes resolved from the configuration (config/osdp.ts `resolveKeyFile`,
 * applied by `checkGatewayConfig`). The key itself never appears in an error or a log line: only
 * the file, its mode and what shape was expected.
 */
import { randomBytes } from "node:crypto";
import {
  closeSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { keyFileTooOpen } from "../../config/osdp.js";

/** Why a key file cannot be used; `code` lets callers react without parsing messages. */
export type KeyFileErrorCode =
  /** No file: the PD is in install mode until `accessgw osdp keyset` writes one. */
  | "KEY_FILE_MISSING"
  /** Group or others may read or change it: refused, the key may be known to others. */
  | "KEY_FILE_EXPOSED"
  /** Not 32 hex digits. */
  | "KEY_FILE_INVALID"
  | "KEY_FILE_UNREADABLE"
  | "KEY_FILE_WRITE_FAILED";

/** The key file's one error class: a code, the file it concerns and an optional cause. */
export class KeyFileError extends Error {
  readonly code: KeyFileErrorCode;
  readonly file: string;

  constructor(code: KeyFileErrorCode, file: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${message}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "KeyFileError";
    this.code = code;
    this.file = file;
  }
}

/** An SCBK is an AES-128 key. */
export const KEY_BYTES = 16;

/** A key file is 33 bytes (and some whitespace); anything much larger is not one, so reading stops there. */
const READ_LIMIT = 256;

/**
 * The key in a key file's text: 32 hex digits, surrounding whitespace and a final newline ignored.
 * Errors say what was expected and how the text differs, never what it holds.
 */
export function parseKeyText(file: string, text: string): Uint8Array {
  const s = text.trim();
  if (s.length !== KEY_BYTES * 2)
    throw new KeyFileError(
      "KEY_FILE_INVALID",
      file,
      `expected ${KEY_BYTES * 2} hex digits (a 16-byte key), found ${s.length} characters`,
    );
  if (!/^[0-9A-Fa-f]+$/.test(s))
    throw new KeyFileError(
      "KEY_FILE_INVALID",
      file,
      `expected ${KEY_BYTES * 2} hex digits (0-9, a-f), found other characters`,
    );
  return Uint8Array.from(Buffer.from(s, "hex"));
}

/**
 * Reads the key of `file`. The mode is checked on the opened file before its contents are read, so
 * a file that was opened up to group or others is refused (KEY_FILE_EXPOSED), never used.
 */
export function readKeyFile(file: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT")
      throw new KeyFileError("KEY_FILE_MISSING", file, "no key file: run `accessgw osdp keyset` to set one", {
        cause: err,
      });
    throw new KeyFileError("KEY_FILE_UNREADABLE", file, `cannot open the key file (${code ?? "error"})`, {
      cause: err,
    });
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new KeyFileError("KEY_FILE_UNREADABLE", file, "not a regular file");
    const mode = stat.mode & 0o777;
    if (keyFileTooOpen(mode))
      throw new KeyFileError(
        "KEY_FILE_EXPOSED",
        file,
        `mode 0${mode.toString(8)} lets group or others at the key; refused (chmod 600 ${file}, and set a new key with keyset if others may have read it)`,
      );
    return parseKeyText(file, readText(fd, file));
  } finally {
    closeSync(fd);
  }
}

/** The first bytes of an open key file as text; the buffer is wiped once the text is taken. */
function readText(fd: number, file: string): string {
  const buffer = Buffer.alloc(READ_LIMIT);
  try {
    const length = readSync(fd, buffer, 0, READ_LIMIT, 0);
    return buffer.subarray(0, length).toString("latin1");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw new KeyFileError("KEY_FILE_UNREADABLE", file, `cannot read the key file (${code})`, { cause: err });
  } finally {
    buffer.fill(0);
  }
}

/** A new key written next to its key file but not yet in place: `commit` puts it there, `discard` drops it. */
export interface StagedKey {
  key: Uint8Array;
  /** The temp file holding the new key (0600) until `commit` renames it over the key file. */
  temp: string;
  /** Renames the temp file over the key file (atomic) and makes the rename durable. */
  commit(): void;
  /** Removes the temp file; the key file is left as it was. */
  discard(): void;
  /** Renames the temp file to `path` (kept 0600), for a key whose fate is unknown. */
  keepAs(path: string): void;
}

/**
 * Writes a new random key to a temp file created 0600 next to `file` (the folder made 0700 when
 * missing) and fsyncs it, without touching `file`: keyset stages the key before sending it, so the
 * key the PD may take is on disk first. `random` is handed in for tests.
 */
export function stageNewKeyFile(file: string, random: (n: number) => Uint8Array = randomBytes): StagedKey {
  const key = Uint8Array.from(random(KEY_BYTES));
  if (key.length !== KEY_BYTES) throw new Error(`random gave ${key.length} bytes, expected ${KEY_BYTES}`);
  const dir = dirname(file);
  const temp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const failed = (err: unknown): KeyFileError => {
    removeQuietly(temp);
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    return new KeyFileError("KEY_FILE_WRITE_FAILED", file, `cannot write the key file (${code})`, {
      cause: err,
    });
  };
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // 0600 from creation ("wx": never an existing file), so the key is never readable by others.
    const fd = openSync(temp, "wx", 0o600);
    try {
      writeSync(fd, `${Buffer.from(key).toString("hex")}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw failed(err);
  }
  const moveTo = (path: string) => {
    try {
      renameSync(temp, path);
      syncFolder(dir);
    } catch (err) {
      throw failed(err);
    }
  };
  return { key, temp, commit: () => moveTo(file), discard: () => removeQuietly(temp), keepAs: moveTo };
}

/**
 * Writes a new random key to `file` and returns it: staged in a temp file (0600, fsynced) and
 * renamed over `file`, so a crash leaves the old key or the new one, never half of one.
 */
export function writeNewKeyFile(file: string, random: (n: number) => Uint8Array = randomBytes): Uint8Array {
  const staged = stageNewKeyFile(file, random);
  staged.commit();
  return staged.key;
}

/** Removes a temp file that may not exist, or whose folder may not (the failure reported is the write's). */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Nothing was written where the folder is missing.
  }
}

/** Makes the rename durable: the folder's entry is what a crash could otherwise lose. */
function syncFolder(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

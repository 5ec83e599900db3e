import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { KeyFileError, readKeyFile, writeNewKeyFile } from "../../drivers/osdp/keyFile.js";
import { it } from "../harness/index.js";

const KEY_HEX = "000102030405060708090a0b0c0d0e0f";
const KEY = Uint8Array.from(Buffer.from(KEY_HEX, "hex"));

/** Writes `text` to `name` in `dir` with exactly `mode` (whatever the umask). */
function keyFile(dir: string, name: string, text: string, mode = 0o600): string {
  const file = join(dir, name);
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, mode);
  return file;
}

/** The KeyFileError `fn` throws. */
function thrown(fn: () => unknown): KeyFileError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KeyFileError);
    return err as KeyFileError;
  }
  throw new Error("nothing was thrown");
}

describe("reading an OSDP key file (issue 13 §2)", () => {
  it.for([
    ["32 hex digits", KEY_HEX],
    ["with a final newline", `${KEY_HEX}\n`],
    ["in upper case, with surrounding whitespace and CRLF", `  ${KEY_HEX.toUpperCase()}\r\n`],
  ])("reads the 16-byte key: %s", ([, text], { folder }) => {
    expect(readKeyFile(keyFile(folder.dir, "pd.scbk", text as string))).toEqual(KEY);
  });

  it.for([
    ["31 digits", KEY_HEX.slice(1), "expected 32 hex digits (a 16-byte key), found 31 characters"],
    ["an empty file", "\n", "expected 32 hex digits (a 16-byte key), found 0 characters"],
    [
      "a non-hex character",
      `${KEY_HEX.slice(0, 31)}g`,
      "expected 32 hex digits (0-9, a-f), found other characters",
    ],
    ["two keys", `${KEY_HEX}\n${KEY_HEX}\n`, "expected 32 hex digits (a 16-byte key), found 65 characters"],
    [
      "spaces inside",
      `${KEY_HEX.slice(0, 16)} ${KEY_HEX.slice(16, 31)}`,
      "expected 32 hex digits (0-9, a-f), found other characters",
    ],
  ])("refuses %s naming the file, never showing the key", ([, text, message], { folder }) => {
    const file = keyFile(folder.dir, "pd.scbk", text as string);
    const err = thrown(() => readKeyFile(file));
    expect(err.code).toBe("KEY_FILE_INVALID");
    expect(err.file).toBe(file);
    expect(err.message).toBe(`${file}: ${message}`);
    expect(err.message).not.toContain(KEY_HEX.slice(0, 8));
  });

  it.for([
    ["0640", 0o640],
    ["0604", 0o604],
    ["0620", 0o620],
    ["0644", 0o644],
    ["0600 + others execute (0601)", 0o601],
  ] as const)(
    "refuses a key file with mode %s (group or others may get at it), naming the file and its mode",
    ([, mode], { folder }) => {
      const file = keyFile(folder.dir, "pd.scbk", KEY_HEX, mode);
      const err = thrown(() => readKeyFile(file));
      expect(err.code).toBe("KEY_FILE_EXPOSED");
      expect(err.message).toContain(
        `${file}: mode 0${mode.toString(8)} lets group or others at the key; refused`,
      );
      expect(err.message).not.toContain(KEY_HEX);
    },
  );

  it("reads a key file of mode 0400 (owner read only)", ({ folder }) => {
    expect(readKeyFile(keyFile(folder.dir, "pd.scbk", KEY_HEX, 0o400))).toEqual(KEY);
  });

  it("says KEY_FILE_MISSING for a file that is not there (install mode)", ({ folder }) => {
    const missing = thrown(() => readKeyFile(join(folder.dir, "none.scbk")));
    expect(missing.code).toBe("KEY_FILE_MISSING");
    expect(missing.message).toBe(
      `${join(folder.dir, "none.scbk")}: no key file: run \`accessgw osdp keyset\` to set one`,
    );
  });

  it("refuses a folder where the key file should be (KEY_FILE_UNREADABLE)", ({ folder }) => {
    mkdirSync(join(folder.dir, "dir.scbk"), { mode: 0o700 });
    const err = thrown(() => readKeyFile(join(folder.dir, "dir.scbk")));
    expect(err.code).toBe("KEY_FILE_UNREADABLE");
    expect(err.message).toBe(`${join(folder.dir, "dir.scbk")}: not a regular file`);
  });
});

describe("writing a new OSDP key file (issue 13 §2: keyset)", () => {
  it("writes 32 hex digits and a newline, mode 0600, in a folder it makes 0700, and reads back the same key", ({
    folder,
  }) => {
    const file = join(folder.dir, "keys", "sub", "pool-in.scbk");
    const key = writeNewKeyFile(file, () => Uint8Array.from(KEY));
    expect(key).toEqual(KEY);
    expect(readFileSync(file, "utf8")).toBe(`${KEY_HEX}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(folder.dir, "keys")).mode & 0o777).toBe(0o700);
    expect(statSync(join(folder.dir, "keys", "sub")).mode & 0o777).toBe(0o700);
    expect(readKeyFile(file)).toEqual(KEY);
    expect(readdirSync(join(folder.dir, "keys", "sub"))).toEqual(["pool-in.scbk"]);
  });

  it("replaces an existing key whole (a rename), leaving no temp file, and draws a new random key each time", ({
    folder,
  }) => {
    const file = keyFile(folder.dir, "pd.scbk", KEY_HEX);
    const first = writeNewKeyFile(file);
    const second = writeNewKeyFile(file);
    expect(first).toHaveLength(16);
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(false);
    expect(Buffer.from(first).equals(Buffer.from(KEY))).toBe(false);
    expect(readKeyFile(file)).toEqual(second);
    expect(readdirSync(folder.dir)).toEqual(["pd.scbk"]);
  });

  it("fails with KEY_FILE_WRITE_FAILED naming the file and leaves no temp file when the rename fails", ({
    folder,
  }) => {
    // A folder in the key file's place: the temp file is written, the rename over it fails.
    const target = join(folder.dir, "pd.scbk");
    mkdirSync(join(target, "inside"), { recursive: true, mode: 0o700 });
    const err = thrown(() => writeNewKeyFile(target));
    expect(err.code).toBe("KEY_FILE_WRITE_FAILED");
    expect(err.message).toMatch(
      new RegExp(`^${target}: cannot write the key file \\((EISDIR|ENOTEMPTY|EEXIST)\\)$`),
    );
    expect(readdirSync(folder.dir)).toEqual(["pd.scbk"]);
  });

  it("fails with KEY_FILE_WRITE_FAILED when the folder cannot be made", ({ folder }) => {
    const notAFolder = keyFile(folder.dir, "plain", "x");
    const err = thrown(() => writeNewKeyFile(join(notAFolder, "pd.scbk")));
    expect(err.code).toBe("KEY_FILE_WRITE_FAILED");
    expect(err.message).toMatch(/cannot write the key file \((ENOTDIR|EEXIST)\)$/);
  });
});

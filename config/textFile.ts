/**
 * Reading the project's text files (data files, the gateway configuration, the simulator's and the
 * central's files) as strict UTF-8. Node's "utf8" decoding turns a bad byte into U+FFFD, so two
 * card numbers that differ only in bad bytes would become one: a bad byte is refused instead, with
 * its offset and line.
 */

import { isUtf8 } from "node:buffer";
import { closeSync, openSync, readFileSync, readSync } from "node:fs";

/** Bytes read at a time when a file is streamed. */
export const CHUNK_BYTES = 1 << 16;

/** A file is not UTF-8: `message` names the file, the byte offset and the line. */
export class Utf8Error extends Error {}

/**
 * Turns the bytes of one file, chunk by chunk, into text; throws Utf8Error at the first byte that is
 * not UTF-8. A character split between two chunks is carried over to the next one.
 */
export class Utf8Decoder {
  private carry: Buffer = Buffer.alloc(0);
  /** Offset in the file of the first byte of `carry`. */
  private offset = 0;
  /** Newlines before `offset`. */
  private lines = 0;

  constructor(private readonly name: string) {}

  /** The text of `chunk` (and of what was carried over), up to its last whole character. */
  decode(chunk: Uint8Array): string {
    const bytes = this.carry.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.carry, chunk]);
    const cut = wholeCharacters(bytes);
    const piece = bytes.subarray(0, cut);
    this.carry = Buffer.from(bytes.subarray(cut));
    if (!isUtf8(piece)) throw this.error(piece, firstBadByte(piece));
    this.offset += piece.length;
    for (let i = piece.indexOf(10); i !== -1; i = piece.indexOf(10, i + 1)) this.lines++;
    return piece.toString("utf8");
  }

  /** Checks that the file did not end inside a character. */
  end(): void {
    if (this.carry.length > 0) throw this.error(this.carry, 0);
  }

  private error(piece: Buffer, at: number): Utf8Error {
    let line = this.lines + 1;
    for (let i = piece.indexOf(10); i !== -1 && i < at; i = piece.indexOf(10, i + 1)) line++;
    const byte = piece[at] ?? 0;
    return new Utf8Error(
      `${this.name}: not UTF-8 text: byte 0x${byte.toString(16).toUpperCase().padStart(2, "0")} at byte offset ${this.offset + at} (line ${line}); save the file as UTF-8`,
    );
  }
}

/** The length of the longest prefix of `bytes` that does not end inside a multi-byte character. */
function wholeCharacters(bytes: Buffer): number {
  const n = bytes.length;
  // Look back over at most 3 continuation bytes (10xxxxxx) for the lead byte of the last character.
  for (let back = 1; back <= Math.min(4, n); back++) {
    const b = bytes[n - back] as number;
    if ((b & 0xc0) === 0x80) continue;
    const len = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return len > back ? n - back : n;
  }
  return n;
}

/**
 * The offset of the first byte of a sequence that is not UTF-8. Decoding replaces it with U+FFFD;
 * the encoded prefix before the first replacement that was not itself written as EF BF BD has the
 * same length as the bytes it came from, so it gives the offset.
 */
function firstBadByte(bytes: Buffer): number {
  const text = bytes.toString("utf8");
  let from = 0;
  for (;;) {
    const i = text.indexOf("\uFFFD", from);
    if (i === -1) return 0;
    const at = Buffer.byteLength(text.slice(0, i), "utf8");
    if (!(bytes[at] === 0xef && bytes[at + 1] === 0xbf && bytes[at + 2] === 0xbd)) return at;
    from = i + 1;
  }
}

/** The chunks of a file, read synchronously (a streamed import stays one synchronous pass). */
export function* fileChunks(name: string, size = CHUNK_BYTES): Generator<Uint8Array> {
  const fd = openSync(name, "r");
  try {
    const buffer = Buffer.alloc(size);
    for (;;) {
      const n = readSync(fd, buffer, 0, size, null);
      if (n === 0) return;
      yield buffer.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/** A whole file's text, or why it cannot be had (unreadable, not UTF-8), naming the file. */
export function readTextFile(name: string): { text: string; problem?: undefined } | { problem: string } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(name);
  } catch (err) {
    return { problem: `${name}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? err})` };
  }
  return decodeText(name, bytes);
}

/** The text of a whole file's bytes, or why they are not UTF-8. */
export function decodeText(
  name: string,
  bytes: Uint8Array,
): { text: string; problem?: undefined } | { problem: string } {
  const decoder = new Utf8Decoder(name);
  try {
    const text = decoder.decode(bytes);
    decoder.end();
    return { text };
  } catch (err) {
    if (err instanceof Utf8Error) return { problem: err.message };
    throw err;
  }
}

/** A 1-based line and column (in characters). */
export interface Position {
  line: number;
  column: number;
}

/**
 * Where an offset falls in a file's text, or in `text` when given: `unit` says whether the offset
 * counts UTF-8 bytes (the JSON reader) or UTF-16 characters (the YAML reader). A file is read again
 * up to the offset, so nothing of it needs to be kept for a position that is rarely asked for.
 */
export function positionOf(
  source: { name: string; text?: string },
  offset: number,
  unit: "byte" | "char",
): Position {
  const pos: Position = { line: 1, column: 1 };
  let left = offset;
  const step = (isNewline: boolean, countsAsCharacter: boolean) => {
    if (isNewline) {
      pos.line++;
      pos.column = 1;
    } else if (countsAsCharacter) pos.column++;
  };
  const pieces: Iterable<Uint8Array | string> =
    source.text !== undefined
      ? [unit === "byte" ? Buffer.from(source.text, "utf8") : source.text]
      : unit === "byte"
        ? fileChunks(source.name)
        : decodedChunks(source.name);
  for (const piece of pieces) {
    const n = Math.min(left, piece.length);
    if (typeof piece === "string") for (let i = 0; i < n; i++) step(piece.charCodeAt(i) === 10, true);
    // A character's continuation bytes (10xxxxxx) do not move the column.
    else for (let i = 0; i < n; i++) step(piece[i] === 10, ((piece[i] as number) & 0xc0) !== 0x80);
    left -= n;
    if (left === 0) break;
  }
  return pos;
}

function* decodedChunks(name: string): Generator<string> {
  const decoder = new Utf8Decoder(name);
  for (const chunk of fileChunks(name)) yield decoder.decode(chunk);
}

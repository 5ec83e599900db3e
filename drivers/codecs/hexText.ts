/**
 * Hex text for byte fixtures shared by unit tests and the simulator: one frame per line, bytes
 * as hex pairs (spaces optional), `#` starts a comment. A comment after a frame is its note
 * (e.g. the expected card), so one file carries both the bytes and what they mean.
 */

/** One frame of a hex fixture, with the comment that followed it on its line ("" if none). */
export interface HexFrame {
  bytes: Uint8Array;
  note: string;
  /** 1-based line number in the fixture, for test names and error messages. */
  line: number;
}

/** Parses hex fixture text into frames; throws on malformed hex, since fixtures are code. */
export function parseHexFrames(text: string): HexFrame[] {
  const frames: HexFrame[] = [];
  text.split(/\r\n|\r|\n/).forEach((raw, i) => {
    const hash = raw.indexOf("#");
    const hex = (hash < 0 ? raw : raw.slice(0, hash)).replace(/\s+/g, "");
    const note = hash < 0 ? "" : raw.slice(hash + 1).trim();
    if (hex === "") return;
    if (!/^([0-9A-Fa-f]{2})+$/.test(hex))
      throw new Error(`line ${i + 1}: expected hex byte pairs, got "${hex}"`);
    frames.push({ bytes: hexToBytes(hex), note, line: i + 1 });
  });
  return frames;
}

/** Converts an even-length hex string (no separators) to bytes. */
export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Formats bytes as space-separated upper-case hex pairs, the fixture spelling. */
export function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, "0")).join(" ");
}

/** Reads `key=value` words from a frame's note ("card=9357203 tag=008EC793"); other words are ignored. */
export function noteFields(note: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const word of note.split(/\s+/)) {
    const eq = word.indexOf("=");
    if (eq > 0) fields[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return fields;
}

/** The big-endian unsigned value of some bytes (for Wiegand fixtures written as hex). */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

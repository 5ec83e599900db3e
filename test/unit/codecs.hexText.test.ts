import { describe, expect, it } from "vitest";
import { bytesToBigInt, bytesToHex, noteFields, parseHexFrames } from "../../drivers/codecs/hexText.js";

describe("hex fixture text", () => {
  it("reads one frame per line, skipping comments and blank lines and keeping trailing notes", () => {
    const frames = parseHexFrames("# header\n\n02 31 03  # card=1 first\r\n0A0b\n");
    expect(frames.map((f) => [bytesToHex(f.bytes), f.note, f.line])).toEqual([
      ["02 31 03", "card=1 first", 3],
      ["0A 0B", "", 4],
    ]);
  });

  it("rejects an odd number of hex digits or a non-hex character", () => {
    expect(() => parseHexFrames("02 3")).toThrow(/line 1/);
    expect(() => parseHexFrames("\nZZ")).toThrow(/line 2/);
  });

  it("reads key=value words from a note and ignores the rest", () => {
    expect(noteFields("format=H10301 bits=26 (leading parity)")).toEqual({ format: "H10301", bits: "26" });
  });

  it("reads bytes as a big-endian number", () => {
    expect(bytesToBigInt(Uint8Array.of(0x02, 0xf6, 0x23, 0xae))).toBe(0x2f623aen);
  });
});

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { decodeText, readTextFile, Utf8Decoder, Utf8Error } from "../../config/textFile.js";
import { it } from "../harness/index.js";

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))));

describe("reading text files as strict UTF-8", () => {
  it("refuses a byte that is not UTF-8, naming the file, the byte, its offset and line", () => {
    const text = bytes('members:\n  - id: m-1\n    cards: [{ number: "12', [0xff], '34" }]\n');
    expect(decodeText("members.yaml", text)).toEqual({
      problem: "members.yaml: not UTF-8 text: byte 0xFF at byte offset 46 (line 3); save the file as UTF-8",
    });
  });

  it("refuses Latin-1 text (é as one byte 0xE9) and a file cut inside a character", () => {
    expect(decodeText("a.yaml", bytes("name: Ren", [0xe9], "\n")).problem).toMatch(
      /byte 0xE9 at byte offset 9 \(line 1\)/,
    );
    expect(decodeText("b.yaml", bytes("name: Ren", [0xc3])).problem).toMatch(
      /byte 0xC3 at byte offset 9 \(line 1\)/,
    );
  });

  it("keeps a U+FFFD written in the file and finds the bad byte after it", () => {
    const text = bytes("a: \uFFFD\nb: ", [0x80], "\n");
    expect(decodeText("c.yaml", text).problem).toMatch(/byte 0x80 at byte offset 10 \(line 2\)/);
    expect(decodeText("d.yaml", bytes("a: \uFFFD é €\n"))).toEqual({ text: "a: \uFFFD é €\n" });
  });

  it("decodes characters split between two chunks, and counts offsets and lines across chunks", () => {
    const all = bytes("x: é€😀\n", "y: ", [0xfe]);
    const decoder = new Utf8Decoder("big.yaml");
    let text = "";
    let caught: unknown;
    try {
      for (let i = 0; i < all.length; i += 2) text += decoder.decode(all.subarray(i, i + 2));
      decoder.end();
    } catch (err) {
      caught = err;
    }
    expect(text).toBe("x: é€😀\ny: ");
    expect(caught).toBeInstanceOf(Utf8Error);
    expect((caught as Error).message).toBe(
      `big.yaml: not UTF-8 text: byte 0xFE at byte offset ${all.length - 1} (line 2); save the file as UTF-8`,
    );
  });

  describe("from disk", () => {
    it("names a file that cannot be read, and reads one that is UTF-8", ({ folder: t }) => {
      expect(readTextFile(join(t.dir, "missing.yaml"))).toEqual({
        problem: `${join(t.dir, "missing.yaml")}: cannot read the file (ENOENT)`,
      });
      writeFileSync(join(t.dir, "ok.yaml"), "name: Zoë\n");
      expect(readTextFile(join(t.dir, "ok.yaml"))).toEqual({ text: "name: Zoë\n" });
    });
  });
});

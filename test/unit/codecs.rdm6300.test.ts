import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytesToHex, noteFields, parseHexFrames } from "../../drivers/codecs/hexText.js";
import { encodeRdm6300Frame, type Rdm6300Event, Rdm6300Parser } from "../../drivers/codecs/rdm6300.js";

const fixture = (name: string) =>
  parseHexFrames(readFileSync(new URL(`../fixtures/frames/${name}`, import.meta.url), "utf8"));

const frames = fixture("rdm6300.hex");
const good = frames.filter((f) => noteFields(f.note).card !== undefined);
const bad = frames.filter((f) => noteFields(f.note).error !== undefined);

/** The whole stream of a fixture file as one buffer. */
function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function summarise(events: readonly Rdm6300Event[]): string[] {
  return events.map((e) => (e.kind === "frame" ? `card ${e.card}` : e.error));
}

describe("RDM6300 frames from the fixture", () => {
  it.each(good.map((f) => [f.line, f.note, f] as const))(
    "line %i (%s) decodes to its card, tag and version",
    (_line, _note, f) => {
      const want = noteFields(f.note);
      const events = new Rdm6300Parser().push(f.bytes);
      expect(events).toEqual([
        {
          kind: "frame",
          card: want.card,
          tag: Number(want.card),
          tagHex: want.tag,
          version: Number.parseInt(want.version ?? "", 16),
        },
      ]);
    },
  );

  it.each(bad.map((f) => [f.line, f.note, f] as const))(
    "line %i (%s) is dropped with its error",
    (_l, _n, f) => {
      const events = new Rdm6300Parser().push(f.bytes);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ kind: "error", error: noteFields(f.note).error });
    },
  );

  it("reads the issue's example frame as card 9357203, dropping the version byte", () => {
    const bytes = Uint8Array.of(
      0x02,
      0x31,
      0x34,
      0x30,
      0x30,
      0x38,
      0x45,
      0x43,
      0x37,
      0x39,
      0x33,
      0x43,
      0x45,
      0x03,
    );
    expect(new Rdm6300Parser().push(bytes)).toMatchObject([
      { kind: "frame", card: "9357203", tagHex: "008EC793" },
    ]);
  });

  it("reads an ID-12LA frame, CR LF before the ETX, as the same card as the RDM6300 frame", () => {
    const id12 = encodeRdm6300Frame(0x008ec793, 0x14, { crlf: true });
    expect(bytesToHex(id12.subarray(-3))).toBe("0D 0A 03");
    expect(new Rdm6300Parser().push(id12)).toEqual(
      new Rdm6300Parser().push(encodeRdm6300Frame(0x008ec793, 0x14)),
    );
  });

  it("encodes every upper-case fixture frame back to the same bytes from its tag and version", () => {
    const upperCase = good.filter((f) => !f.bytes.some((b) => b >= 0x61 && b <= 0x66));
    expect(upperCase.length).toBeGreaterThan(0);
    for (const f of upperCase) {
      const want = noteFields(f.note);
      const encoded = encodeRdm6300Frame(Number(want.card), Number.parseInt(want.version ?? "", 16), {
        crlf: want.crlf === "1",
      });
      expect(bytesToHex(encoded)).toBe(bytesToHex(f.bytes));
    }
  });
});

describe("an RDM6300 byte stream", () => {
  const stream = concat(fixture("rdm6300.stream.hex").map((f) => f.bytes));

  it("skips noise, resyncs on a new STX and reports frames and errors in order", () => {
    const parser = new Rdm6300Parser();
    expect(summarise(parser.push(stream))).toEqual([
      "bad_frame",
      "card 9357203",
      "bad_checksum",
      "card 2497248351",
    ]);
    expect(parser.counters()).toEqual({
      frames: 2,
      badChecksum: 1,
      zeroTag: 0,
      badFrame: 1,
      skippedBytes: 3,
    });
  });

  it("counts zero tags separately from bad checksums", () => {
    const parser = new Rdm6300Parser();
    parser.push(encodeRdm6300Frame(0, 0x14));
    expect(parser.counters()).toMatchObject({ frames: 0, zeroTag: 1, badChecksum: 0 });
  });

  it("keeps a partial frame between pushes until the rest arrives", () => {
    const parser = new Rdm6300Parser();
    const frame = encodeRdm6300Frame(0x008ec793, 0x14);
    expect(parser.push(frame.subarray(0, 5))).toEqual([]);
    expect(summarise(parser.push(frame.subarray(5)))).toEqual(["card 9357203"]);
  });

  it("forgets a partial frame on reset", () => {
    const parser = new Rdm6300Parser();
    parser.push(encodeRdm6300Frame(5).subarray(0, 7));
    parser.reset();
    expect(summarise(parser.push(encodeRdm6300Frame(7)))).toEqual(["card 7"]);
  });

  it("gives the same frames however the stream is split into chunks", () => {
    const whole = summarise(new Rdm6300Parser().push(stream));
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 12 }),
        (cuts) => {
          const points = [0, ...[...cuts].sort((a, b) => a - b), stream.length];
          const parser = new Rdm6300Parser();
          const events: Rdm6300Event[] = [];
          for (let i = 1; i < points.length; i++)
            events.push(...parser.push(stream.subarray(points[i - 1], points[i])));
          expect(summarise(events)).toEqual(whole);
        },
      ),
    );
  });
});

describe("RDM6300 properties", () => {
  it("never throws on random bytes, whatever the chunking", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 10 }), (chunks) => {
        const parser = new Rdm6300Parser();
        for (const c of chunks) parser.push(c);
      }),
    );
  });

  it("decodes every encoded non-zero tag and version back to the same tag", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 0xffffffff }),
        fc.integer({ min: 0, max: 255 }),
        (tag, version) => {
          expect(new Rdm6300Parser().push(encodeRdm6300Frame(tag, version))).toEqual([
            {
              kind: "frame",
              tag,
              version,
              tagHex: tag.toString(16).toUpperCase().padStart(8, "0"),
              card: String(tag),
            },
          ]);
        },
      ),
    );
  });

  it("finds an encoded frame after any garbage that holds no STX", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 30 }), fc.integer({ min: 1, max: 0xffffffff }), (noise, tag) => {
        const clean = noise.filter((b) => b !== 0x02);
        const events = new Rdm6300Parser().push(concat([clean, encodeRdm6300Frame(tag)]));
        expect(events.filter((e) => e.kind === "frame")).toMatchObject([{ tag }]);
      }),
    );
  });

  it("refuses to encode a tag outside 32 bits", () => {
    expect(() => encodeRdm6300Frame(2 ** 32)).toThrow(RangeError);
    expect(() => encodeRdm6300Frame(-1)).toThrow(RangeError);
  });
});

import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytesToBigInt, noteFields, parseHexFrames } from "../../drivers/codecs/hexText.js";
import {
  decodeWiegand,
  encodeWiegand,
  splitWiegandData,
  type WiegandFormatName,
  wiegandFormats,
  wiegandLimits,
  wiegandSize,
} from "../../drivers/codecs/wiegand.js";

const frames = parseHexFrames(
  readFileSync(new URL("../fixtures/frames/wiegand.hex", import.meta.url), "utf8"),
).map((f) => ({ ...f, fields: noteFields(f.note), value: bytesToBigInt(f.bytes) }));

describe("Wiegand frames from the fixture", () => {
  it.each(frames.filter((f) => f.fields.cn !== undefined).map((f) => [f.note, f] as const))(
    "%s decodes with correct parity",
    (_note, f) => {
      const format = f.fields.format as WiegandFormatName;
      expect(decodeWiegand(f.value, Number(f.fields.bits), format)).toEqual({
        ok: true,
        format,
        facilityCode: f.fields.fc === undefined ? null : Number(f.fields.fc),
        cardNumber: Number(f.fields.cn),
      });
    },
  );

  it.each(frames.filter((f) => f.fields.cn !== undefined).map((f) => [f.note, f] as const))(
    "%s is what the encoder produces",
    (_note, f) => {
      const format = f.fields.format as WiegandFormatName;
      const facilityCode = f.fields.fc === undefined ? null : Number(f.fields.fc);
      expect(encodeWiegand(format, facilityCode, Number(f.fields.cn))).toEqual({
        ok: true,
        value: f.value,
        bits: Number(f.fields.bits),
      });
    },
  );

  it.each(frames.filter((f) => f.fields.error !== undefined).map((f) => [f.note, f] as const))(
    "%s is rejected with a typed error",
    (_note, f) => {
      const result = decodeWiegand(f.value, Number(f.fields.bits), f.fields.format as WiegandFormatName);
      expect(result).toMatchObject({ ok: false, error: f.fields.error });
    },
  );
});

describe("Wiegand test vectors for FC 123 / CN 4567", () => {
  it.each([
    ["H10301", 0x2f623aen],
    ["H10306", 0x0f623afn],
    ["H10304", 0x07b023afn],
    ["C1k35", 0x60f6023afn],
    ["C1k48", 0x40007b0023aen],
  ] as const)("%s encodes to 0x%s", (format, value) => {
    expect(encodeWiegand(format, 123, 4567)).toMatchObject({ ok: true, value });
  });

  it("C1k48 FC 1 / CN 2 is 0xC00001000005, as proxmark3 packs it, and decodes back", () => {
    // Bit 2 (even) covers 4,5,7,8…46,47 and bit 48 (odd) 3,4,6,7…45,46: swapping the two sets
    // refuses about half of the real cards.
    expect(encodeWiegand("C1k48", 1, 2)).toMatchObject({ ok: true, value: 0xc00001000005n });
    expect(decodeWiegand(0xc00001000005n, 48)).toEqual({
      ok: true,
      format: "C1k48",
      facilityCode: 1,
      cardNumber: 2,
    });
  });

  it("H10302 encodes CN 123456789 to 0x100EB79A2B", () => {
    expect(encodeWiegand("H10302", null, 123456789)).toMatchObject({
      ok: true,
      value: 0x100eb79a2bn,
      bits: 37,
    });
  });
});

describe("Wiegand decoding", () => {
  it("picks the format from the bit count, and H10304 for 37 bits unless H10302 is asked for", () => {
    expect(decodeWiegand(0x2f623aen, 26)).toMatchObject({ ok: true, format: "H10301" });
    expect(decodeWiegand(0x07b023afn, 37)).toMatchObject({ ok: true, format: "H10304", facilityCode: 123 });
    expect(decodeWiegand(0x100eb79a2bn, 37, "H10302")).toMatchObject({ ok: true, facilityCode: null });
  });

  it("rejects a bit count no format has", () => {
    expect(decodeWiegand(0n, 30)).toMatchObject({ ok: false, error: "unknown_size" });
  });

  it("rejects a bit count that does not match the requested format", () => {
    expect(decodeWiegand(0x2f623aen, 26, "H10306")).toMatchObject({ ok: false, error: "size_mismatch" });
  });

  it("rejects a value wider than its bit count", () => {
    expect(decodeWiegand(1n << 26n, 26)).toMatchObject({ ok: false, error: "out_of_range" });
    expect(decodeWiegand(-1n, 26)).toMatchObject({ ok: false, error: "out_of_range" });
  });

  it("refuses to encode a facility code or card number the format cannot hold", () => {
    expect(encodeWiegand("H10301", 256, 1)).toMatchObject({ ok: false, error: "out_of_range" });
    expect(encodeWiegand("H10301", 1, 65536)).toMatchObject({ ok: false, error: "out_of_range" });
    expect(encodeWiegand("H10302", 5, 1)).toMatchObject({ ok: false, error: "out_of_range" });
    expect(encodeWiegand("C1k48", 1, -1)).toMatchObject({ ok: false, error: "out_of_range" });
  });

  it("splits Tasmota's parity-stripped 26-bit value 7748328 into FC 118 / CN 15080", () => {
    expect(splitWiegandData("H10301", 7748328n)).toEqual({
      ok: true,
      format: "H10301",
      facilityCode: 118,
      cardNumber: 15080,
    });
  });

  it("splits parity-stripped data the same way decoding splits the full bit string", () => {
    // 0x0F623AF without its two parity bits is 0x7B11D7: FC 123, CN 4567.
    expect(splitWiegandData("H10306", 0x7b11d7n)).toMatchObject({
      ok: true,
      facilityCode: 123,
      cardNumber: 4567,
    });
    expect(splitWiegandData("C1k35", (0x60f6023afn >> 1n) & 0xffffffffn)).toMatchObject({
      ok: true,
      facilityCode: 123,
      cardNumber: 4567,
    });
    expect(splitWiegandData("H10301", 1n << 24n)).toMatchObject({ ok: false, error: "out_of_range" });
  });
});

describe("Wiegand properties", () => {
  const credential = (format: WiegandFormatName) => {
    const limits = wiegandLimits(format);
    return fc.record({
      facilityCode:
        limits.facilityCode === null ? fc.constant(null) : fc.integer({ min: 0, max: limits.facilityCode }),
      cardNumber: fc.integer({ min: 0, max: limits.cardNumber }),
    });
  };

  it.each(wiegandFormats.map((f) => [f]))(
    "%s decodes every encoded FC/CN in range back to itself",
    (format) => {
      fc.assert(
        fc.property(credential(format), ({ facilityCode, cardNumber }) => {
          const encoded = encodeWiegand(format, facilityCode, cardNumber);
          if (!encoded.ok) throw new Error(encoded.detail);
          expect(encoded.bits).toBe(wiegandSize(format));
          expect(decodeWiegand(encoded.value, encoded.bits, format)).toEqual({
            ok: true,
            format,
            facilityCode,
            cardNumber,
          });
        }),
      );
    },
  );

  it.each(wiegandFormats.map((f) => [f]))(
    "%s reports a parity error for any single flipped bit",
    (format) => {
      fc.assert(
        fc.property(credential(format), fc.nat(), ({ facilityCode, cardNumber }, n) => {
          const encoded = encodeWiegand(format, facilityCode, cardNumber);
          if (!encoded.ok) throw new Error(encoded.detail);
          const flipped = encoded.value ^ (1n << BigInt(n % encoded.bits));
          expect(decodeWiegand(flipped, encoded.bits, format)).toMatchObject({ ok: false, error: "parity" });
        }),
      );
    },
  );

  it("never throws on random values and sizes", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -10n, max: 1n << 50n }),
        fc.integer({ min: 0, max: 64 }),
        (value, bits) => {
          decodeWiegand(value, bits);
        },
      ),
    );
  });
});

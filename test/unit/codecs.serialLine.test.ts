import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { noteFields, parseHexFrames } from "../../drivers/codecs/hexText.js";
import { maxLineBytes, parseSerialLine, type SerialLineFormat } from "../../drivers/codecs/serialLine.js";

/** Fixture lines carry their terminator; the line parser gets the line without it. */
const lines = parseHexFrames(
  readFileSync(new URL("../fixtures/frames/serialLine.hex", import.meta.url), "utf8"),
).map((f) => {
  let end = f.bytes.length;
  while (end > 0 && (f.bytes[end - 1] === 0x0d || f.bytes[end - 1] === 0x0a)) end--;
  return { line: f.bytes.subarray(0, end), note: f.note, fields: noteFields(f.note) };
});

const formats: readonly SerialLineFormat[] = ["decimal", "hex", "fc-cn"];

describe("serial reader lines from the fixture", () => {
  it.each(lines.filter((l) => l.fields.card !== undefined).map((l) => [l.note, l] as const))(
    "%s",
    (_note, l) => {
      const result = parseSerialLine(l.line, l.fields.format as SerialLineFormat);
      expect(result).toEqual({ ok: true, read: { kind: l.fields.format, text: l.fields.card } });
    },
  );

  it.each(lines.filter((l) => l.fields.fc !== undefined).map((l) => [l.note, l] as const))(
    "%s from the facility code and card number",
    (_note, l) => {
      expect(parseSerialLine(l.line, "fc-cn")).toMatchObject({
        ok: true,
        read: { kind: "fc-cn", facilityCode: Number(l.fields.fc), cardNumber: Number(l.fields.cn) },
      });
    },
  );

  it.each(lines.filter((l) => l.fields.error !== undefined).map((l) => [l.note, l] as const))(
    "%s is rejected with a reason",
    (_note, l) => {
      const result = parseSerialLine(l.line, l.fields.format as SerialLineFormat);
      expect(result).toMatchObject({ ok: false, error: l.fields.error });
      if (!result.ok) expect(result.detail).not.toBe("");
    },
  );
});

describe("serial line limits", () => {
  it("accepts a line of exactly 64 bytes and rejects one of 65", () => {
    expect(parseSerialLine("1".repeat(maxLineBytes), "decimal")).toMatchObject({ ok: true });
    expect(parseSerialLine("1".repeat(maxLineBytes + 1), "decimal")).toMatchObject({
      ok: false,
      error: "too_long",
    });
  });

  it("accepts text as well as bytes", () => {
    expect(parseSerialLine("123 04567", "fc-cn")).toMatchObject({ ok: true, read: { cardNumber: 4567 } });
  });

  it("reads an ID-12LA frame as the 32-bit tag in decimal whatever the line format", () => {
    const frame = "\u000214008EC793CE";
    for (const format of formats)
      expect(parseSerialLine(frame, format)).toEqual({
        ok: true,
        read: { kind: "decimal", text: "9357203" },
      });
  });

  it("rejects hex letters on a decimal reader and colons on a hex reader", () => {
    expect(parseSerialLine("8EC793", "decimal")).toMatchObject({ ok: false, error: "bad_characters" });
    expect(parseSerialLine("12:34", "hex")).toMatchObject({ ok: false, error: "bad_characters" });
  });
});

describe("serial line properties", () => {
  it.each(formats.map((f) => [f]))("never throws on random bytes for the %s format", (format) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const result = parseSerialLine(bytes, format);
        expect(typeof result.ok).toBe("boolean");
      }),
    );
  });

  it("reads every decimal number back as the same digits", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{1,64}$/), (digits) => {
        expect(parseSerialLine(digits, "decimal")).toEqual({
          ok: true,
          read: { kind: "decimal", text: digits },
        });
      }),
    );
  });
});

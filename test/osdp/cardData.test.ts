import { describe, expect, it } from "vitest";
import { CARD_NUMBER_MODES } from "../../config/deviceLimits.js";
import { toCardNumber } from "../../drivers/codecs/cardNumber.js";
import { hexToBytes } from "../../drivers/codecs/hexText.js";
import { parseTasmotaMessage } from "../../drivers/codecs/tasmotaSensor.js";
import { encodeWiegand, wiegandFormats } from "../../drivers/codecs/wiegand.js";
import { osdpCardNumber } from "../../drivers/osdp/cardData.js";

/** The RAW read of libosdp's plain trace: 26 bits `bd 88 eb 80`, H10301 facility 123 card 4567. */
const TRACE_READ = { bits: 26, data: Uint8Array.from([0xbd, 0x88, 0xeb, 0x80]) };

/** The RAW read of a Wiegand value: its bits MSB first, padded with zeros to whole bytes. */
function rawOf(value: bigint, bits: number) {
  const bytes = Math.ceil(bits / 8);
  const padded = value << BigInt(bytes * 8 - bits);
  return { bits, data: Uint8Array.from(Buffer.from(padded.toString(16).padStart(bytes * 2, "0"), "hex")) };
}

describe("OSDP RAW card data to card numbers (issue 13 §3, osdp.md Card numbers)", () => {
  it("decodes libosdp's read (26 bits bd 88 eb 80) as H10301 facility 123 card 4567", () => {
    expect(osdpCardNumber(TRACE_READ, "auto", "wiegand-fc-cn")).toEqual({ ok: true, card: "123:4567" });
    expect(osdpCardNumber(TRACE_READ, "H10301", "wiegand-fc-cn")).toEqual({ ok: true, card: "123:4567" });
  });

  it("gives the card number alone in decimal (osdp.md), and what Tasmota gives in the other modes", () => {
    // 123:4567 without its parity bits is 123 × 65536 + 4567, the UID Tasmota publishes.
    const tasmota = parseTasmotaMessage("tele/t/SENSOR", '{"Wiegand":{"UID":8065495,"Size":26}}', "t");
    if (tasmota.kind !== "card") throw new Error("Tasmota's message is not a card");
    for (const mode of CARD_NUMBER_MODES.filter((m) => m !== "decimal"))
      expect(osdpCardNumber(TRACE_READ, "auto", mode), mode).toEqual(toCardNumber(tasmota.raw, mode));
    expect(osdpCardNumber(TRACE_READ, "auto", "decimal")).toEqual({ ok: true, card: "4567" });
    expect(osdpCardNumber(TRACE_READ, "auto", "as-is")).toEqual({ ok: true, card: "8065495" });
    expect(osdpCardNumber(TRACE_READ, "auto", "hex")).toEqual({ ok: true, card: "7B11D7" });
  });

  it.each(wiegandFormats.map((f) => [f]))("decodes a %s read with cardFormat auto or its name", (format) => {
    const encoded = encodeWiegand(format, format === "H10302" ? null : 100, 2024);
    if (!encoded.ok) throw new Error(encoded.detail);
    const read = rawOf(encoded.value, encoded.bits);
    const expected = format === "H10302" ? "2024" : "100:2024";
    expect(osdpCardNumber(read, format, "wiegand-fc-cn")).toEqual({ ok: true, card: expected });
    // 37 bits are H10304 unless the reader names H10302.
    if (format !== "H10302")
      expect(osdpCardNumber(read, "auto", "wiegand-fc-cn")).toEqual({ ok: true, card: expected });
  });

  it("gives the bits as upper-case hex, zero-padded to whole bytes, with cardFormat raw", () => {
    expect(osdpCardNumber(TRACE_READ, "raw", "as-is")).toEqual({ ok: true, card: "02F623AE" });
    expect(osdpCardNumber({ bits: 32, data: hexToBytes("04a1b2c3") }, "raw", "as-is")).toEqual({
      ok: true,
      card: "04A1B2C3",
    });
    expect(
      osdpCardNumber({ bits: 32, data: Uint8Array.from([4, 0xa1, 0xb2, 0xc3]) }, "raw", "decimal"),
    ).toEqual({
      ok: true,
      card: "77705923",
    });
  });

  it("refuses a parity error as bad_parity", () => {
    const flipped = { bits: 26, data: Uint8Array.from([0xbd, 0x88, 0xeb, 0xc0]) };
    expect(osdpCardNumber(flipped, "auto", "wiegand-fc-cn")).toEqual({
      ok: false,
      error: "bad_parity",
      detail: "H10301: odd parity bit 26 is wrong",
    });
  });

  it.each([
    [
      "a bit count no Wiegand format has",
      { bits: 30, data: Uint8Array.from([1, 2, 3, 4]) },
      "auto",
      "no Wiegand format has 30 bits (cardFormat: raw takes any bit count)",
    ],
    ["a named format of another size", TRACE_READ, "H10306", "H10306 has 34 bits, got 26"],
    [
      "fewer data bytes than the bit count needs",
      { bits: 26, data: Uint8Array.from([0xbd, 0x88, 0xeb]) },
      "auto",
      "26 bits take 4 bytes, the read has 3",
    ],
    [
      "more data bytes than the bit count needs",
      { bits: 8, data: Uint8Array.from([1, 2]) },
      "raw",
      "8 bits take 1 bytes, the read has 2",
    ],
    ["no bits", { bits: 0, data: new Uint8Array() }, "raw", "a card read of 0 bits"],
  ] as const)("refuses %s as bad_format", (_what, read, cardFormat, detail) => {
    expect(osdpCardNumber(read, cardFormat, "as-is")).toEqual({ ok: false, error: "bad_format", detail });
  });

  it("refuses a read the reader's cardNumber cannot express as unsupported", () => {
    expect(osdpCardNumber(TRACE_READ, "raw", "wiegand-fc-cn")).toEqual({
      ok: false,
      error: "unsupported",
      detail: "a hex read cannot be converted to wiegand-fc-cn",
    });
  });
});

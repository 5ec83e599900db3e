import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CAPABILITY, CMD, REPLY } from "../../drivers/osdp/codes.js";
import { decodeCommand, encodeCommand, type OsdpCommand } from "../../drivers/osdp/commands.js";
import {
  decodeReply,
  encodeReply,
  findCapability,
  type OsdpReply,
  receiveBufferSize,
} from "../../drivers/osdp/replies.js";
import { hexBytes } from "./trace.js";

type Sendable<T> = Exclude<T, { kind: "fmt" }>;

describe("OSDP commands the gateway sends beyond the traces", () => {
  it.each<[string, Sendable<OsdpCommand>, number, string]>([
    ["LSTAT", { kind: "lstat" }, CMD.LSTAT, ""],
    [
      "TEXT",
      { kind: "text", reader: 0, command: 3, tempSeconds: 2, row: 1, column: 1, text: "Welcome" },
      CMD.TEXT,
      "00 03 02 01 01 07 57 65 6c 63 6f 6d 65",
    ],
    ["COMSET", { kind: "comset", address: 12, baudRate: 115200 }, CMD.COMSET, "0c 00 c2 01 00"],
    [
      "KEYSET",
      { kind: "keyset", keyType: 1, key: hexBytes("00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f") },
      CMD.KEYSET,
      "01 10 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f",
    ],
    [
      "OUT with two records",
      {
        kind: "out",
        outputs: [
          { output: 0, control: 2, timerTenths: 0 },
          { output: 1, control: 1, timerTenths: 0 },
        ],
      },
      CMD.OUT,
      "00 02 00 00 01 01 00 00",
    ],
  ])("encodes %s and decodes it back", (_name, command, code, hex) => {
    const payload = encodeCommand(command);
    expect(payload).toEqual({ code, data: hexBytes(hex) });
    expect(decodeCommand(payload.code, payload.data)).toEqual({ ok: true, value: command });
  });

  it("recognises the deprecated FMT command so it can be ignored", () => {
    expect(decodeCommand(CMD.FMT, hexBytes("00 01"))).toEqual({ ok: true, value: { kind: "fmt" } });
  });

  it.each([
    ["POLL with data", CMD.POLL, "00", "bad_length"],
    ["ID without its byte", CMD.ID, "", "bad_length"],
    ["OUT of 5 bytes", CMD.OUT, "00 02 00 00 01", "bad_length"],
    ["LED of 13 bytes", CMD.LED, "00 00 02 05 05 02 00 14 00 00 00 00 00", "bad_length"],
    ["TEXT longer than announced", CMD.TEXT, "00 03 02 01 01 02 41 42 43", "bad_length"],
    ["KEYSET shorter than announced", CMD.KEYSET, "01 10 00 01", "bad_length"],
    ["CHLNG of 7 bytes", CMD.CHLNG, "01 02 03 04 05 06 07", "bad_length"],
    ["an unknown code", 0x99, "", "unknown_code"],
  ])("names a bad command payload: %s", (_name, code, hex, error) => {
    expect(decodeCommand(code, hexBytes(hex))).toMatchObject({ ok: false, error });
  });

  it("refuses to encode what cannot be sent", () => {
    expect(() =>
      encodeCommand({ kind: "text", reader: 0, command: 1, tempSeconds: 0, row: 1, column: 1, text: "Café" }),
    ).toThrow(/ASCII/);
    expect(() => encodeCommand({ kind: "out", outputs: [] })).toThrow(/at least one record/);
    expect(() =>
      encodeCommand({ kind: "out", outputs: [{ output: 0, control: 5, timerTenths: 70000 }] }),
    ).toThrow(/OUT timer/);
    expect(() => encodeCommand({ kind: "chlng", rndA: new Uint8Array(7) })).toThrow(/8 bytes/);
  });
});

describe("OSDP replies beyond the traces", () => {
  it.each<[string, Sendable<OsdpReply>, number, string]>([
    [
      "NAK for a sequence error",
      { kind: "nak", error: 4, name: "sequence_number", detail: new Uint8Array() },
      REPLY.NAK,
      "04",
    ],
    [
      "NAK for security conditions",
      { kind: "nak", error: 6, name: "security_conditions", detail: hexBytes("01") },
      REPLY.NAK,
      "06 01",
    ],
    ["LSTATR, tamper", { kind: "lstatr", tamper: true, power: false }, REPLY.LSTATR, "01 00"],
    ["KEYPAD 1 2 * #", { kind: "keypad", reader: 0, digits: "12*#" }, REPLY.KEYPAD, "00 04 31 32 7f 0d"],
    ["COM", { kind: "com", address: 12, baudRate: 9600 }, REPLY.COM, "0c 80 25 00 00"],
    ["BUSY", { kind: "busy" }, REPLY.BUSY, ""],
  ])("encodes %s and decodes it back", (_name, reply, code, hex) => {
    const payload = encodeReply(reply);
    expect(payload).toEqual({ code, data: hexBytes(hex) });
    expect(decodeReply(payload.code, payload.data)).toEqual({ ok: true, value: reply });
  });

  it("names NAK codes past the table unknown", () => {
    expect(decodeReply(REPLY.NAK, hexBytes("2a"))).toMatchObject({
      ok: true,
      value: { error: 42, name: "unknown" },
    });
  });

  it("recognises the deprecated FMT card data so it can be ignored", () => {
    expect(decodeReply(REPLY.FMT, hexBytes("00 00 04 31 32 33 34"))).toEqual({
      ok: true,
      value: { kind: "fmt" },
    });
  });

  it("finds capabilities, with the receive buffer size spread over compliance and items", () => {
    const result = decodeReply(REPLY.PDCAP, hexBytes("06 01 01 0a 00 01 09 01 00"));
    const caps = result.ok && result.value.kind === "pdcap" ? result.value.capabilities : [];
    expect(findCapability(caps, CAPABILITY.READER_TEXT)).toEqual({ code: 6, compliance: 1, items: 1 });
    expect(findCapability(caps, CAPABILITY.READER_LED)).toBeUndefined();
    expect(receiveBufferSize(caps)).toBe(256);
  });

  it.each([
    ["RAW with 26 bits in 3 bytes", REPLY.RAW, "00 01 1a 00 bd 88 eb", "bad_bit_count"],
    ["RAW with 26 bits in 5 bytes", REPLY.RAW, "00 01 1a 00 bd 88 eb 80 00", "bad_bit_count"],
    ["RAW of no bits", REPLY.RAW, "00 01 00 00", "bad_bit_count"],
    ["RAW cut before its bit count", REPLY.RAW, "00 01 1a", "bad_length"],
    ["PDID of 11 bytes", REPLY.PDID, "be ba fe 01 01 af be ad de ad de", "bad_length"],
    ["PDCAP of 4 bytes", REPLY.PDCAP, "01 01 02 02", "bad_length"],
    ["ACK with data", REPLY.ACK, "00", "bad_length"],
    ["NAK without its code", REPLY.NAK, "", "bad_length"],
    ["LSTATR of 1 byte", REPLY.LSTATR, "01", "bad_length"],
    ["LSTATR with a flag of 2", REPLY.LSTATR, "02 00", "bad_value"],
    ["KEYPAD counting 3 keys for 2", REPLY.KEYPAD, "00 03 31 32", "bad_length"],
    ["KEYPAD with a letter", REPLY.KEYPAD, "00 02 31 41", "bad_value"],
    ["CCRYPT of 31 bytes", REPLY.CCRYPT, "00 ".repeat(31), "bad_length"],
    ["RMAC_I of 15 bytes", REPLY.RMAC_I, "00 ".repeat(15), "bad_length"],
    ["an unknown code", 0x42, "", "unknown_code"],
  ])("names a bad reply payload: %s", (_name, code, hex, error) => {
    const result = decodeReply(code, hexBytes(hex));
    expect(result).toMatchObject({ ok: false, error });
    if (!result.ok) expect(result.message.length).toBeGreaterThan(10);
  });

  it("R21: takes KEYPAD's * and # in ASCII (0x2a, 0x23) as well as OSDP's 0x7f and 0x0d", () => {
    expect(decodeReply(REPLY.KEYPAD, hexBytes("00 06 31 2a 32 23 7f 0d"))).toEqual({
      ok: true,
      value: { kind: "keypad", reader: 0, digits: "1*2#*#" },
    });
    expect(encodeReply({ kind: "keypad", reader: 0, digits: "1*#", ascii: true })).toEqual({
      code: REPLY.KEYPAD,
      data: hexBytes("00 03 31 2a 23"),
    });
  });

  it("refuses to encode a RAW whose bytes do not hold its bits, or a key that is not one", () => {
    expect(() =>
      encodeReply({ kind: "raw", reader: 0, format: 1, bitCount: 26, data: hexBytes("bd 88 eb") }),
    ).toThrow(/needs 4 bytes/);
    expect(() => encodeReply({ kind: "keypad", reader: 0, digits: "1A" })).toThrow(/digits, \* and #/);
  });
});

describe("OSDP payload decoding on outside input", () => {
  it("never throws on any code and any data: a value or a named error with a message", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 48 }), (code, data) => {
        for (const result of [decodeCommand(code, data), decodeReply(code, data)]) {
          if (!result.ok) expect(result.message).not.toBe("");
        }
      }),
      { seed: 1313, numRuns: 2000 },
    );
  });
});

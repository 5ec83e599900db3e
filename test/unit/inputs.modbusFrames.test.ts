import { describe, expect, it } from "vitest";
import {
  decodeReply,
  encodeReadBits,
  encodeReadBitsReply,
  replyBit,
  rtuFrameLength,
} from "../../drivers/codecs/modbusRtu.js";
import { startExchange, stepExchange } from "../../drivers/modbus/modbusExchange.js";

const hex = (text: string) => Uint8Array.from(text.split(" ").map((b) => Number.parseInt(b, 16)));

describe("D1: Modbus RTU reads of discrete inputs (FC02) and coils (FC01)", () => {
  it("D1: encodes a one-bit read as the Modbus spec frames it", () => {
    expect(encodeReadBits(1, 2, 0)).toEqual(hex("01 02 00 00 00 01 b9 ca"));
    expect(encodeReadBits(1, 1, 0)).toEqual(hex("01 01 00 00 00 01 fd ca"));
  });

  it("D1: encodes and decodes the reply: bit 0 of the first data byte is the address read", () => {
    const on = encodeReadBitsReply(1, 2, [true]);
    expect(on).toEqual(hex("01 02 01 01 60 48"));
    expect(encodeReadBitsReply(1, 2, [false])).toEqual(hex("01 02 01 00 a1 88"));
    const reply = decodeReply(encodeReadBits(1, 2, 0), on);
    expect(reply).toEqual({ ok: true, data: Uint8Array.of(1) });
    expect(replyBit(Uint8Array.of(0b0000_0100, 0b1), 2)).toBe(true);
    expect(replyBit(Uint8Array.of(0b0000_0100, 0b1), 8)).toBe(true);
    expect(replyBit(Uint8Array.of(0b0000_0100, 0b1), 1)).toBe(false);
  });

  it("D1: a reply of another unit or function, or with a bad CRC, does not answer the read", () => {
    const request = encodeReadBits(1, 2, 0);
    expect(decodeReply(request, encodeReadBitsReply(2, 2, [true]))).toEqual({ ok: false, error: "mismatch" });
    expect(decodeReply(request, encodeReadBitsReply(1, 1, [true]))).toEqual({ ok: false, error: "mismatch" });
    expect(decodeReply(request, hex("01 02 01 01 60 49"))).toEqual({ ok: false, error: "bad_crc" });
  });

  it("D1: frames a read reply by its byte count, and while waiting for one function skips the others", () => {
    expect(rtuFrameLength(hex("01 02"))).toBe("need_more");
    expect(rtuFrameLength(hex("01 02 01"))).toBe(6);
    expect(rtuFrameLength(hex("01 05"), 2)).toBe("unknown");
    expect(rtuFrameLength(hex("01 82"), 2)).toBe(5);
    const request = encodeReadBits(1, 2, 0);
    const noisy = new Uint8Array([...hex("01 05 00 00 ff 00 8c 3a"), ...encodeReadBitsReply(1, 2, [true])]);
    expect(stepExchange(startExchange(request), { type: "bytes", bytes: noisy })).toMatchObject({
      phase: "done",
      outcome: { ok: true, data: Uint8Array.of(1) },
    });
  });

  it("D1: refuses a read it cannot frame", () => {
    expect(() => encodeReadBits(1, 2, 70_000)).toThrow(RangeError);
    expect(() => encodeReadBits(1, 2, 0, 0)).toThrow(RangeError);
  });
});

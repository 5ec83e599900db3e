import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checksumOsdp, crc16Osdp } from "../../drivers/osdp/crc.js";
import { decodePacket, encodePacket, type OsdpPacket } from "../../drivers/osdp/packet.js";
import { hexBytes, readTrace, withoutMark } from "./trace.js";

const every = [...readTrace("libosdp-plain-trace.txt"), ...readTrace("libosdp-sc-trace.txt")];

function decoded(bytes: Uint8Array): OsdpPacket {
  const result = decodePacket(bytes);
  if (!result.ok) throw new Error(`${result.error}: ${result.message}`);
  return result.packet;
}

describe("OSDP CRC-16 and checksum", () => {
  it("gives the CRC libosdp sent, low byte first, for every packet of both traces", () => {
    for (const block of every) {
      const packet = withoutMark(block);
      const crc = crc16Osdp(packet.subarray(0, -2));
      expect([crc & 0xff, crc >> 8], `trace line ${block.line}`).toEqual(Array.from(packet.subarray(-2)));
    }
  });

  it("computes the checksum as the two's complement of the byte sum", () => {
    // POLL to address 5, sequence 0, checksum mode: 0x53+0x05+0x07+0x60 = 0xbf, so 0x41.
    expect(checksumOsdp(hexBytes("53 05 07 00 00 60"))).toBe(0x41);
    expect(checksumOsdp(new Uint8Array())).toBe(0);
  });
});

describe("OSDP packets", () => {
  it("decodes a plain command: address, sequence, CRC mode, code and data", () => {
    const packet = decoded(hexBytes("53 05 09 00 04 61 00 c1 25"));
    expect(packet).toMatchObject({
      address: 5,
      reply: false,
      sequence: 0,
      integrity: "crc",
      scb: null,
      code: 0x61,
    });
    expect(Array.from(packet.data)).toEqual([0]);
    expect(packet.mac).toBeNull();
  });

  it("decodes a reply with the reply bit taken off the address", () => {
    const packet = decoded(hexBytes("53 85 08 00 07 40 5d da"));
    expect(packet).toMatchObject({ address: 5, reply: true, sequence: 3, code: 0x40 });
    expect(packet.data).toHaveLength(0);
  });

  it("decodes and encodes a checksum-mode packet", () => {
    const bytes = hexBytes("53 05 07 00 00 60 41");
    const packet = decoded(bytes);
    expect(packet).toMatchObject({ integrity: "checksum", sequence: 0, code: 0x60 });
    expect(encodePacket(packet)).toEqual(bytes);
  });

  it("splits off the security block and the MAC, and gives the bytes the MAC covers", () => {
    const bytes = hexBytes("53 e5 0e 00 0d 02 16 40 0b b8 47 44 ca f4");
    const packet = decoded(bytes);
    expect(packet).toMatchObject({ address: 0x65, reply: true, sequence: 1, code: 0x40 });
    expect(packet.scb?.type).toBe(0x16);
    expect(packet.scb?.data).toHaveLength(0);
    expect(Array.from(packet.mac ?? [])).toEqual([0x0b, 0xb8, 0x47, 0x44]);
    expect(Array.from(packet.macInput)).toEqual([0x53, 0xe5, 0x0e, 0x00, 0x0d, 0x02, 0x16, 0x40]);
  });

  it("keeps a security block's data and leaves types without a MAC unsplit", () => {
    const packet = decoded(
      withoutMark({
        direction: "cp",
        line: 0,
        bytes: hexBytes("ff 53 65 13 00 0e 03 11 01 76 d7 64 c8 cc e9 32 55 c4 f1 05"),
      }),
    );
    expect(packet.scb).toEqual({ type: 0x11, data: Uint8Array.of(1) });
    expect(packet.code).toBe(0x76);
    expect(packet.data).toHaveLength(8);
    expect(packet.mac).toBeNull();
  });

  it("encodes with a MAC: the length counts it and sign sees the finished prefix", () => {
    const seen: Uint8Array[] = [];
    const bytes = encodePacket(
      {
        address: 0x65,
        reply: true,
        sequence: 1,
        integrity: "crc",
        scb: { type: 0x16, data: new Uint8Array() },
        code: 0x40,
        data: new Uint8Array(),
      },
      (input) => {
        seen.push(input);
        return hexBytes("0b b8 47 44");
      },
    );
    expect(bytes).toEqual(hexBytes("53 e5 0e 00 0d 02 16 40 0b b8 47 44 ca f4"));
    expect(seen).toEqual([hexBytes("53 e5 0e 00 0d 02 16 40")]);
  });

  it.each([
    ["bad_som", "54 05 09 00 04 61 00 c1 25"],
    ["truncated", "53 05 09 00 04 61 00 c1"],
    ["truncated", "53 05 09"],
    ["bad_length", "53 05 09 00 04 61 00 c1 25 00"],
    ["bad_length", "53 05 06 00 04 61"],
    ["bad_length", "53 05 01 02 04 61 00 c1 25"],
    ["bad_crc", "53 05 09 00 04 61 01 c1 25"],
    ["bad_checksum", "53 05 07 00 00 60 42"],
  ] as const)("names a %s packet (%s)", (error, hex) => {
    const result = decodePacket(hexBytes(hex));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toBe(error);
  });

  it.each([
    // SCB length 9 runs past the code; SCB length 1 cannot hold its own type.
    ["bad_scb_length", "53 65 00 00 0c 09 15 60 00 00 00 00"],
    ["bad_scb_length", "53 65 00 00 0c 01 15 60 00 00 00 00"],
    // SCS_15 with room for a code but not for the 4-byte MAC.
    ["missing_mac", "53 65 00 00 0c 02 15 60 00 00"],
  ] as const)("names a %s packet whose length and CRC are right (%s)", (error, hex) => {
    const result = decodePacket(framed(hexBytes(hex)));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toBe(error);
  });

  it("refuses to encode fields a packet cannot carry", () => {
    const base = {
      address: 5,
      reply: false,
      sequence: 0,
      integrity: "crc",
      scb: null,
      code: 0x60,
      data: new Uint8Array(),
    } as const;
    expect(() => encodePacket({ ...base, address: 128 })).toThrow(/address must be 0..127/);
    expect(() => encodePacket({ ...base, sequence: 4 })).toThrow(/sequence must be 0..3/);
    expect(() => encodePacket({ ...base, scb: { type: 0x15, data: new Uint8Array() } })).toThrow(/pass sign/);
    expect(() => encodePacket(base, () => new Uint8Array(4))).toThrow(/without a MAC/);
    expect(() => encodePacket({ ...base, data: new Uint8Array(600) })).toThrow(/exceeds 512/);
  });
});

/** The bytes with the length field set to count a CRC, and the CRC appended. */
function framed(body: Uint8Array): Uint8Array {
  body.set([(body.length + 2) & 0xff, (body.length + 2) >> 8], 2);
  const crc = crc16Osdp(body);
  return Uint8Array.from([...body, crc & 0xff, crc >> 8]);
}

describe("OSDP packet round trip", () => {
  it("never throws on random bytes after a SOM", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (rest) => {
        const result = decodePacket(Uint8Array.from([0x53, ...rest]));
        if (!result.ok) expect(result.message).not.toBe("");
      }),
      { seed: 1313, numRuns: 2000 },
    );
  });

  it("decodes every packet it encodes to the same fields", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 127 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom("crc" as const, "checksum" as const),
        fc.option(
          fc.record({ type: fc.integer({ min: 0x11, max: 0x18 }), data: fc.uint8Array({ maxLength: 3 }) }),
          { nil: null },
        ),
        fc.integer({ min: 0, max: 255 }),
        fc.uint8Array({ maxLength: 60 }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        (address, reply, sequence, integrity, scb, code, data, mac) => {
          const fields = { address, reply, sequence, integrity, scb, code, data };
          const signed = scb !== null && scb.type >= 0x15;
          const bytes = encodePacket(fields, signed ? () => mac : undefined);
          const packet = decoded(bytes);
          expect(packet).toEqual({
            ...fields,
            mac: signed ? mac : null,
            macInput: bytes.slice(0, bytes.length - (integrity === "crc" ? 2 : 1) - (signed ? 4 : 0)),
          });
        },
      ),
      { seed: 1313, numRuns: 300 },
    );
  });
});

/**
 * Known answers: every packet libosdp's control panel and PD exchanged (test/fixtures/osdp/)
 * decodes, its message fields are the ones libosdp sent, and encoding the decoded message gives
 * libosdp's bytes again (the control panel's mark byte aside).
 */
import { describe, expect, it } from "vitest";
import { decodeCommand, encodeCommand } from "../../drivers/osdp/commands.js";
import { decodePacket, encodePacket, type OsdpPacket } from "../../drivers/osdp/packet.js";
import type { PayloadResult } from "../../drivers/osdp/payload.js";
import { decodeReply, encodeReply } from "../../drivers/osdp/replies.js";
import { hexBytes, readTrace, type TraceBlock, withoutMark } from "./trace.js";

const plain = readTrace("libosdp-plain-trace.txt");
const secure = readTrace("libosdp-sc-trace.txt");

function packetOf(block: TraceBlock): OsdpPacket {
  const result = decodePacket(withoutMark(block));
  if (!result.ok) throw new Error(`trace line ${block.line}: ${result.error}: ${result.message}`);
  return result.packet;
}

/** The block's message, decoded as a command or a reply by who sent it. */
function messageOf(block: TraceBlock) {
  const packet = packetOf(block);
  const result =
    block.direction === "cp"
      ? decodeCommand(packet.code, packet.data)
      : decodeReply(packet.code, packet.data);
  if (!result.ok) throw new Error(`trace line ${block.line}: ${result.error}: ${result.message}`);
  return result.value;
}

/** The block's packet built again from its decoded message. */
function reencoded(block: TraceBlock): Uint8Array {
  const packet = packetOf(block);
  const payload =
    block.direction === "cp"
      ? encodeCommand(sendable(decodeCommand(packet.code, packet.data)))
      : encodeReply(sendable(decodeReply(packet.code, packet.data)));
  const sign = packet.mac ? () => packet.mac ?? new Uint8Array() : undefined;
  return encodePacket({ ...packet, ...payload }, sign);
}

/** A decoded message that can be sent again (deprecated FMT never is). */
function sendable<T extends { kind: string }>(result: PayloadResult<T>): Exclude<T, { kind: "fmt" }> {
  if (!result.ok) throw new Error(`${result.error}: ${result.message}`);
  const value = result.value;
  if (value.kind === "fmt") throw new Error("FMT is never sent");
  return value as Exclude<T, { kind: "fmt" }>;
}

function at(blocks: TraceBlock[], index: number): TraceBlock {
  const block = blocks[index];
  if (!block) throw new Error(`no block ${index}`);
  return block;
}

describe("libosdp's plain trace (PD address 5)", () => {
  it("decodes every packet to the address, direction and sequence libosdp used", () => {
    for (const block of plain) {
      const packet = packetOf(block);
      expect(packet, `trace line ${block.line}`).toMatchObject({
        address: 5,
        reply: block.direction === "pd",
        integrity: "crc",
        scb: null,
      });
    }
    // The sequence runs 0 (first contact), then 1, 2, 3, 1, …: 0 is never reused.
    expect(
      plain
        .filter((b) => b.direction === "cp")
        .map((b) => packetOf(b).sequence)
        .slice(0, 6),
    ).toEqual([0, 1, 2, 3, 1, 2]);
  });

  it("encodes every decoded message back to libosdp's bytes", () => {
    for (const block of plain)
      expect(reencoded(block), `trace line ${block.line}`).toEqual(withoutMark(block));
  });

  it("reads ID and PDID: vendor code, model, version, serial number, firmware", () => {
    expect(messageOf(at(plain, 0))).toEqual({ kind: "id" });
    expect(messageOf(at(plain, 1))).toEqual({
      kind: "pdid",
      vendorCode: 0xfebabe,
      model: 1,
      version: 1,
      serialNumber: 0xdeadbeaf,
      firmware: { major: 0xad, minor: 0xde, build: 0xad },
    });
  });

  it("reads CAP and PDCAP's records", () => {
    expect(messageOf(at(plain, 2))).toEqual({ kind: "cap" });
    const pdcap = messageOf(at(plain, 3));
    expect(pdcap.kind === "pdcap" && pdcap.capabilities.map((c) => [c.code, c.compliance, c.items])).toEqual([
      [1, 1, 2],
      [2, 1, 2],
      [3, 1, 1],
      [4, 1, 1],
      [5, 1, 1],
      [6, 1, 1],
      [8, 1, 0],
      [9, 1, 0],
      [10, 0, 1],
      [13, 0, 1],
      [16, 2, 0],
    ]);
  });

  it("reads POLL and ACK", () => {
    expect(messageOf(at(plain, 4))).toEqual({ kind: "poll" });
    expect(messageOf(at(plain, 5))).toEqual({ kind: "ack" });
  });

  it("reads OUT: output 0 on for 1 s (10 tenths)", () => {
    expect(messageOf(at(plain, 12))).toEqual({
      kind: "out",
      outputs: [{ output: 0, control: 5, timerTenths: 10 }],
    });
  });

  it("reads LED: a temporary green blink for 2 s over a permanent state left alone", () => {
    expect(messageOf(at(plain, 14))).toEqual({
      kind: "led",
      leds: [
        {
          reader: 0,
          led: 0,
          temporary: { control: 2, onTenths: 5, offTenths: 5, onColor: 2, offColor: 0, timerTenths: 20 },
          permanent: { control: 0, onTenths: 0, offTenths: 0, onColor: 0, offColor: 0 },
        },
      ],
    });
  });

  it("reads BUZ: default tone, 0.2 s on, 0.1 s off, once", () => {
    expect(messageOf(at(plain, 16))).toEqual({
      kind: "buz",
      reader: 0,
      tone: 2,
      onTenths: 2,
      offTenths: 1,
      count: 1,
    });
  });

  it("reads RAW: a 26-bit Wiegand read bd 88 eb 80", () => {
    expect(messageOf(at(plain, 25))).toEqual({
      kind: "raw",
      reader: 0,
      format: 1,
      bitCount: 26,
      data: hexBytes("bd 88 eb 80"),
    });
  });
});

describe("libosdp's secure-channel trace (PD address 101), framing only", () => {
  const expectedTypes = secure.map((block, i) => {
    if (i < 4) return null;
    if (i < 8) return 0x11 + (i - 4);
    const encrypted = packetOf(block).data.length > 0;
    return (block.direction === "cp" ? 0x15 : 0x16) + (encrypted ? 2 : 0);
  });

  it("decodes every packet with the security block type of its place in the handshake", () => {
    expect(secure.map((b) => packetOf(b).scb?.type ?? null)).toEqual(expectedTypes);
    expect(expectedTypes.filter((t) => t === 0x17)).toHaveLength(3);
    expect(expectedTypes.filter((t) => t === 0x18)).toHaveLength(1);
  });

  it("splits the MAC off SCS_15 to SCS_18, and off nothing else", () => {
    for (const block of secure) {
      const packet = packetOf(block);
      const signed = (packet.scb?.type ?? 0) >= 0x15;
      expect(packet.mac?.length ?? 0, `trace line ${block.line}`).toBe(signed ? 4 : 0);
      expect(packet.macInput, `trace line ${block.line}`).toEqual(
        withoutMark(block).subarray(0, signed ? -6 : -2),
      );
    }
  });

  it("reads the handshake's clear payloads: CHLNG, CCRYPT, SCRYPT and RMAC_I", () => {
    const chlng = messageOf(at(secure, 4));
    const ccrypt = messageOf(at(secure, 5));
    expect(chlng).toEqual({ kind: "chlng", rndA: hexBytes("d7 64 c8 cc e9 32 55 c4") });
    expect(ccrypt).toMatchObject({ kind: "ccrypt", clientUid: hexBytes("be ba 01 00 af be ad de") });
    expect(messageOf(at(secure, 6))).toMatchObject({ kind: "scrypt" });
    expect(messageOf(at(secure, 7))).toMatchObject({ kind: "rmac_i" });
  });

  it("encodes every packet again, the MAC handed in through sign", () => {
    for (const block of secure) {
      const packet = packetOf(block);
      const sign = packet.mac ? () => packet.mac ?? new Uint8Array() : undefined;
      expect(encodePacket(packet, sign), `trace line ${block.line}`).toEqual(withoutMark(block));
    }
  });
});

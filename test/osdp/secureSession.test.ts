/**
 * Issue 13 §2: the MAC chain refuses a replayed, reordered or altered packet and does not move on a
 * failure; the data blocks are always padded and a bad padding is a named failure; any payload
 * survives the round trip between the two sides.
 */
import { createCipheriv } from "node:crypto";
import { inspect } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  computeMac,
  decryptData,
  deriveSessionKeys,
  encryptData,
  hasMac,
  SCS,
} from "../../drivers/osdp/secureChannel.js";
import { CpHandshake, PdHandshake } from "../../drivers/osdp/secureHandshake.js";
import type { CpSession, PdSession } from "../../drivers/osdp/secureSession.js";
import { memoryLogger } from "../helpers/logs.js";
import { runHandshake } from "./sessions.js";
import { hexBytes as hex } from "./trace.js";
import { toHex } from "./tracePackets.js";

const SCBK = hex("000102030405060708090a0b0c0d0e0f");
const POLL = hex("53650e000d021560");
const ACK = hex("53e50e000d021640");

/** A CP and a PD session established between the two handshake machines with fresh random numbers. */
function sessions(): { cp: CpSession; pd: PdSession } {
  const result = runHandshake(
    new CpHandshake({ scbk: SCBK }),
    new PdHandshake({ scbk: SCBK, installMode: false, clientUid: hex("0102030405060708") }),
  );
  if (!result.ok) throw new Error(result.code);
  return result;
}

/** One POLL/ACK exchange on the chain; returns the MACs sent. */
function pollAck(cp: CpSession, pd: PdSession): { command: Uint8Array; reply: Uint8Array } {
  const command = cp.signCommand(POLL);
  expect(pd.verifyCommand(POLL, command)).toEqual({ ok: true });
  const reply = pd.signReply(ACK);
  expect(cp.verifyReply(ACK, reply)).toEqual({ ok: true });
  return { command, reply };
}

describe("the MAC chain", () => {
  it("gives every POLL a different MAC, as each starts from the last reply's", () => {
    const { cp, pd } = sessions();
    const macs = Array.from({ length: 4 }, () => toHex(pollAck(cp, pd).command));
    expect(new Set(macs).size).toBe(4);
  });

  it("refuses a replayed reply and a replayed command with SC_MAC_MISMATCH", () => {
    const { cp, pd } = sessions();
    const first = pollAck(cp, pd);
    const command = cp.signCommand(POLL);
    expect(pd.verifyCommand(POLL, first.command)).toMatchObject({ ok: false, code: "SC_MAC_MISMATCH" });
    expect(pd.verifyCommand(POLL, command)).toEqual({ ok: true });
    expect(cp.verifyReply(ACK, first.reply)).toMatchObject({ ok: false, code: "SC_MAC_MISMATCH" });
    expect(cp.verifyReply(ACK, pd.signReply(ACK))).toEqual({ ok: true });
  });

  it("refuses a packet with one bit altered, and a failed check leaves the chain where it was", () => {
    const { cp, pd } = sessions();
    const mac = cp.signCommand(POLL);
    const altered = POLL.slice();
    altered[7] = 0x61;
    expect(pd.verifyCommand(altered, mac)).toMatchObject({ code: "SC_MAC_MISMATCH" });
    expect(pd.verifyCommand(POLL, mac)).toEqual({ ok: true });
    const reply = pd.signReply(ACK);
    const bad = reply.slice();
    bad[0] = (bad[0] as number) ^ 0x80;
    expect(cp.verifyReply(ACK, bad)).toMatchObject({ code: "SC_MAC_MISMATCH" });
    expect(cp.verifyReply(ACK, reply.subarray(0, 3))).toMatchObject({ code: "SC_MALFORMED" });
    expect(cp.verifyReply(ACK, reply)).toEqual({ ok: true });
  });

  it("a reply or command that fails its check does not move the chain: the retry is signed as before", () => {
    const { cp, pd } = sessions();
    const altered = ACK.slice();
    altered[5] = 0x03;
    const mac = cp.signCommand(POLL);
    expect(pd.verifyCommand(altered, mac)).toMatchObject({ code: "SC_MAC_MISMATCH" });
    expect(() => pd.signReply(ACK)).toThrow(expect.objectContaining({ code: "SC_NOT_READY" }));
    expect(pd.verifyCommand(POLL, mac)).toEqual({ ok: true });
    expect(cp.verifyReply(altered, pd.signReply(ACK))).toMatchObject({ code: "SC_MAC_MISMATCH" });
    expect(toHex(cp.signCommand(POLL))).toBe(toHex(mac));
  });

  it("signs a retried command with the same MAC while no reply has moved the chain", () => {
    const { cp } = sessions();
    expect(toHex(cp.signCommand(POLL))).toBe(toHex(cp.signCommand(POLL)));
  });

  it("refuses a reply before any command: the CP with SC_OUT_OF_ORDER, the PD as a bug", () => {
    const { cp, pd } = sessions();
    expect(cp.verifyReply(ACK, hex("00000000"))).toMatchObject({ code: "SC_OUT_OF_ORDER" });
    expect(cp.decryptReply(new Uint8Array(16))).toMatchObject({ code: "SC_OUT_OF_ORDER" });
    expect(() => pd.signReply(ACK)).toThrow(expect.objectContaining({ code: "SC_NOT_READY" }));
  });

  it("pads MAC input only when it is not whole blocks: one block is S-MAC2 CBC over it alone", () => {
    const keys = deriveSessionKeys(SCBK, hex("0102030405060708"));
    const iv = hex("00112233445566778899aabbccddeeff");
    const block = hex("53650f000d0215600102030405060708");
    const cipher = createCipheriv("aes-128-cbc", keys.sMac2, iv).setAutoPadding(false);
    expect(toHex(computeMac(keys, iv, block))).toBe(toHex(cipher.update(block)));
  });

  it("SCS_15 to SCS_18 carry a MAC, the handshake's blocks do not", () => {
    expect([0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18].map(hasMac)).toEqual([
      false,
      false,
      false,
      false,
      true,
      true,
      true,
      true,
    ]);
    expect(SCS.REPLY_DATA).toBe(0x18);
  });
});

describe("encrypted data blocks", () => {
  const keys = deriveSessionKeys(SCBK, hex("0102030405060708"));
  const mac = hex("0f0e0d0c0b0a09080706050403020100");

  it("always pads: 15 bytes take one block, 16 bytes take two, nothing takes one", () => {
    expect(encryptData(keys.sEnc, mac, new Uint8Array(15))).toHaveLength(16);
    expect(encryptData(keys.sEnc, mac, new Uint8Array(16))).toHaveLength(32);
    const empty = decryptData(keys.sEnc, mac, encryptData(keys.sEnc, mac, new Uint8Array()));
    expect(empty.ok && empty.data).toEqual(new Uint8Array());
  });

  it("a wrong IV or key gives SC_BAD_PADDING, data not in whole blocks SC_MALFORMED", () => {
    const cipher = encryptData(keys.sEnc, mac, hex("00050a00"));
    expect(decryptData(keys.sEnc, new Uint8Array(16), cipher)).toMatchObject({ code: "SC_BAD_PADDING" });
    expect(decryptData(keys.sMac1, mac, cipher)).toMatchObject({ code: "SC_BAD_PADDING" });
    expect(decryptData(keys.sEnc, mac, cipher.subarray(0, 15))).toMatchObject({ code: "SC_MALFORMED" });
    expect(decryptData(keys.sEnc, mac, new Uint8Array())).toMatchObject({ code: "SC_MALFORMED" });
  });

  it("chains CBC as Node's own AES-128-CBC does, over any number of blocks, both ways", () => {
    const padded = (b: Uint8Array) => {
      const out = new Uint8Array((Math.floor(b.length / 16) + 1) * 16);
      out.set(b);
      out[b.length] = 0x80;
      return out;
    };
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ maxLength: 100 }),
        (key, plain) => {
          const iv = mac.map((b) => ~b & 0xff);
          const node = createCipheriv("aes-128-cbc", key, iv).setAutoPadding(false).update(padded(plain));
          const ours = encryptData(key, mac, plain);
          expect(toHex(ours)).toBe(toHex(node));
          const back = decryptData(key, mac, ours);
          expect(back.ok && toHex(back.data)).toBe(toHex(plain));
          const whole = padded(plain);
          const head = createCipheriv("aes-128-cbc", keys.sMac1, iv)
            .setAutoPadding(false)
            .update(whole.subarray(0, -16));
          const chain = whole.length > 16 ? head.subarray(-16) : iv;
          const last = createCipheriv("aes-128-cbc", keys.sMac2, chain)
            .setAutoPadding(false)
            .update(whole.subarray(-16));
          expect(toHex(computeMac(keys, iv, whole))).toBe(toHex(last));
        },
      ),
    );
  });

  it("a key changed in place is used as it is now, not as it was", () => {
    const key = Uint8Array.from(keys.sEnc);
    const before = encryptData(key, mac, hex("00050a00"));
    key[0] = (key[0] as number) ^ 0xff;
    const after = encryptData(key, mac, hex("00050a00"));
    expect(toHex(after)).toBe(toHex(encryptData(Uint8Array.from(key), mac, hex("00050a00"))));
    expect(toHex(after)).not.toBe(toHex(before));
    expect(decryptData(key, mac, before)).toMatchObject({ code: "SC_BAD_PADDING" });
  });

  it("any command and reply payload survives the round trip between the two sides", () => {
    const { cp, pd } = sessions();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }), (command, reply) => {
        const sent = cp.encryptCommand(command);
        const got = pd.decryptCommand(sent);
        expect(got.ok && toHex(got.data)).toBe(toHex(command));
        pollAck(cp, pd);
        const back = pd.encryptReply(reply);
        expect(back.length % 16).toBe(0);
        const read = cp.decryptReply(back);
        expect(read.ok && toHex(read.data)).toBe(toHex(reply));
      }),
      { numRuns: 100 },
    );
  });
});

describe("keys stay out of logs", () => {
  it("a session or handshake logged through pino or printed shows its key mode, never a key", () => {
    const { cp, pd } = sessions();
    const cpSide = new CpHandshake({ scbk: SCBK });
    const pdSide = new PdHandshake({ scbk: SCBK, installMode: true, clientUid: hex("0102030405060708") });
    const log = memoryLogger();
    log.logger.info({ cp, pd, cpSide, pdSide }, "secure channel up");
    expect(log.lines[0]).toMatchObject({
      cp: { keyMode: "scbk" },
      pd: { keyMode: "scbk" },
      cpSide: { keyMode: "scbk", step: "idle" },
      pdSide: { hasKey: true, installMode: true, step: "idle" },
    });
    const printed = [JSON.stringify(log.lines), inspect({ cp, pd, cpSide, pdSide }, { depth: 5 })].join("");
    expect(printed).toContain('CpSession {"keyMode":"scbk"}');
    expect(printed).not.toMatch(/sEnc|sMac|scbk"?:|0, 1, 2, 3|000102030405/);
  });
});

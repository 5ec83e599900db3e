/**
 * Issue 13 §2: the secure channel against libosdp's own bytes (SCBK 00 01 … 0f). From RND.A in the
 * CHLNG and RND.B in the CCRYPT every value of the trace is recomputed: the session keys, both
 * cryptograms, the initial R-MAC, every MAC in order on both sides of the chain, and the encrypted
 * OUT, LED, BUZ and RAW payloads (decrypted, and encrypted back to the same bytes).
 */
import { createCipheriv } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  clientCryptogram,
  deriveSessionKeys,
  initialRmac,
  SCS,
  serverCryptogram,
} from "../../drivers/osdp/secureChannel.js";
import { CpHandshake, PdHandshake } from "../../drivers/osdp/secureHandshake.js";
import { TRACE_SCBK as SCBK, scTrace as trace, tracePacket, traceSessions } from "./sessions.js";
import { hexBytes as hex } from "./trace.js";
import { toHex } from "./tracePackets.js";

const [chlng, ccrypt, scrypt, rmacI] = [tracePacket(4), tracePacket(5), tracePacket(6), tracePacket(7)];
const chain = trace.slice(8);
const rndA = chlng.data;
const clientUid = ccrypt.data.slice(0, 8);
const rndB = ccrypt.data.slice(8, 16);

/** The same payloads in the plain trace (libosdp-plain-trace.txt), by command or reply code. */
const PLAIN: Record<number, string> = {
  104: "00050a00", // OUT: output 0, permanent on with timer, 10 × 100 ms
  105: "0000020505020014000000000000", // LED: temporary red/green flash, permanent off
  106: "0002020101", // BUZ: reader 0, default tone, 2 × 100 ms on, 1 off, once
  80: "00011a00bd88eb80", // RAW: reader 0, Wiegand, 26 bits, bd 88 eb 80 (H10301 123:4567)
};

describe("the handshake's values from the libosdp trace", () => {
  const keys = deriveSessionKeys(SCBK, rndA);

  it("derives S-ENC, S-MAC1 and S-MAC2 that reproduce the PD's client cryptogram", () => {
    expect(toHex(clientCryptogram(keys, rndA, rndB))).toBe(toHex(ccrypt.data.subarray(16)));
    expect([toHex(keys.sEnc), toHex(keys.sMac1), toHex(keys.sMac2)]).toEqual([
      "739e01e1e9d16d2f2d7de6da2e048d73",
      "b4a1edadfb58dd3bfa1121d96232f9e0",
      "6db18546a7de7f1b58fdc82c3cdeb477",
    ]);
  });

  it("computes the server cryptogram the CP sent in SCRYPT and the initial R-MAC of RMAC_I", () => {
    const server = serverCryptogram(keys, rndA, rndB);
    expect(toHex(server)).toBe(toHex(scrypt.data));
    expect(toHex(initialRmac(keys, server))).toBe(toHex(rmacI.data));
  });

  it("orders the random numbers as libosdp does: RND.A then RND.B for the PD, RND.B then RND.A for the CP", () => {
    // The trace's RND.A and RND.B are equal, so it cannot tell the two orders apart; distinct numbers can.
    const [a, b] = [hex("0102030405060708"), hex("a1a2a3a4a5a6a7a8")];
    const ecb = (input: Uint8Array): string =>
      toHex(createCipheriv("aes-128-ecb", keys.sEnc, null).setAutoPadding(false).update(input));
    expect(toHex(rndA)).toBe(toHex(rndB));
    expect(toHex(clientCryptogram(keys, a, b))).toBe(ecb(new Uint8Array([...a, ...b])));
    expect(toHex(serverCryptogram(keys, a, b))).toBe(ecb(new Uint8Array([...b, ...a])));
  });

  it("the CP's machine sends the trace's CHLNG and SCRYPT, SCBK in use (SCB data 1)", () => {
    const cp = new CpHandshake({ scbk: SCBK, random: () => rndA });
    const challenge = cp.challenge();
    expect([challenge.scb.type, toHex(challenge.scb.data), toHex(challenge.data)]).toEqual([
      SCS.CHLNG,
      toHex(chlng.scb?.data ?? new Uint8Array()),
      toHex(chlng.data),
    ]);
    const answer = cp.onCcrypt(ccrypt.scb?.data ?? new Uint8Array(), ccrypt.data);
    if (!answer.ok) throw new Error(answer.message);
    expect([answer.message.scb.type, toHex(answer.message.scb.data), toHex(answer.message.data)]).toEqual([
      SCS.SCRYPT,
      toHex(scrypt.scb?.data ?? new Uint8Array()),
      toHex(scrypt.data),
    ]);
    expect(toHex(cp.clientUid ?? new Uint8Array())).toBe("beba0100afbeadde");
    expect(cp.onRmacI(rmacI.scb?.data ?? new Uint8Array(), rmacI.data).ok).toBe(true);
  });

  it("the PD's machine sends the trace's CCRYPT and RMAC_I", () => {
    const pd = new PdHandshake({ scbk: SCBK, installMode: false, clientUid, random: () => rndB });
    const answer = pd.onChallenge(chlng.scb?.data ?? new Uint8Array(), chlng.data);
    if (!answer.ok) throw new Error(answer.message);
    expect(toHex(answer.message.scb.data)).toBe(toHex(ccrypt.scb?.data ?? new Uint8Array()));
    expect(toHex(answer.message.data)).toBe(toHex(ccrypt.data));
    const rmac = pd.onScrypt(scrypt.scb?.data ?? new Uint8Array(), scrypt.data);
    if (!rmac.ok) throw new Error(rmac.message);
    expect([rmac.message.scb.type, toHex(rmac.message.scb.data), toHex(rmac.message.data)]).toEqual([
      SCS.RMAC_I,
      toHex(rmacI.scb?.data ?? new Uint8Array()),
      toHex(rmacI.data),
    ]);
    expect(rmac.session.keyMode).toBe("scbk");
  });
});

describe("the MAC chain and data blocks of the libosdp trace, in order", () => {
  it("the trace's chain covers POLL/ACK, OUT, LED, BUZ and RAW under SCS_15–SCS_18", () => {
    expect(chain.length).toBe(44);
    expect(chain.every((p) => p.mac !== null)).toBe(true);
    const encrypted = chain.filter((p) => p.scb?.type === SCS.COMMAND_DATA || p.scb?.type === SCS.REPLY_DATA);
    expect(encrypted.map((p) => p.code)).toEqual([0x68, 0x69, 0x6a, 0x50]);
  });

  it("signs every command and verifies every reply on both sides, decrypting and re-encrypting each payload", () => {
    const { cp, pd } = traceSessions();
    const decrypted: Record<number, string> = {};
    for (const p of chain) {
      const mac = p.mac as Uint8Array;
      const encrypted = p.scb?.type === SCS.COMMAND_DATA || p.scb?.type === SCS.REPLY_DATA;
      if (p.direction === "command") {
        expect(pd.verifyCommand(p.macInput, mac), `packet ${p.index}`).toEqual({ ok: true });
        if (encrypted) {
          const plain = pd.decryptCommand(p.data);
          if (!plain.ok) throw new Error(plain.message);
          decrypted[p.code] = toHex(plain.data);
          expect(toHex(cp.encryptCommand(plain.data))).toBe(toHex(p.data));
        }
        expect(toHex(cp.signCommand(p.macInput)), `packet ${p.index}`).toBe(toHex(mac));
      } else {
        if (encrypted) {
          const plain = cp.decryptReply(p.data);
          if (!plain.ok) throw new Error(plain.message);
          decrypted[p.code] = toHex(plain.data);
          expect(toHex(pd.encryptReply(plain.data))).toBe(toHex(p.data));
        }
        expect(toHex(pd.signReply(p.macInput)), `packet ${p.index}`).toBe(toHex(mac));
        expect(cp.verifyReply(p.macInput, mac), `packet ${p.index}`).toEqual({ ok: true });
      }
    }
    expect(decrypted).toEqual(PLAIN);
  });
});

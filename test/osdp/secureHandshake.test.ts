/**
 * Issue 13 §2: the handshake's failures are named results, never exceptions — a wrong key, a key
 * mode the other side does not accept (install mode and SCBK-D), messages out of order or of the
 * wrong size, a PD that refuses the CP's cryptogram or sends a wrong initial R-MAC.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SCBK_D, SCS, SecureChannelError } from "../../drivers/osdp/secureChannel.js";
import {
  CpHandshake,
  cryptoRandom,
  type HandshakeMessage,
  PdHandshake,
} from "../../drivers/osdp/secureHandshake.js";
import { runHandshake, tracePacket } from "./sessions.js";
import { hexBytes as hex } from "./trace.js";
import { type TracePacket, toHex } from "./tracePackets.js";

const SCBK = hex("000102030405060708090a0b0c0d0e0f");
const OTHER = hex("ffeeddccbbaa99887766554433221100");
const UID = hex("beba0100afbeadde");
const [chlng, ccrypt, scrypt, rmacI] = [tracePacket(4), tracePacket(5), tracePacket(6), tracePacket(7)];
const scbData = (p: TracePacket): Uint8Array => p.scb?.data ?? new Uint8Array();

/** A whole handshake's outcome: the key mode both sides agreed on, or the first failure. */
function handshake(
  cp: CpHandshake,
  pd: PdHandshake,
): { ok: true; mode: string } | { ok: false; code: string } {
  const result = runHandshake(cp, pd);
  return result.ok ? { ok: true, mode: result.pd.keyMode } : result;
}

describe("a wrong key", () => {
  it("fails the CP's check of the trace's client cryptogram with SC_CRYPTOGRAM_MISMATCH", () => {
    const cp = new CpHandshake({ scbk: OTHER, random: () => chlng.data });
    cp.challenge();
    const result = cp.onCcrypt(scbData(ccrypt), ccrypt.data);
    expect(result).toMatchObject({ ok: false, code: "SC_CRYPTOGRAM_MISMATCH" });
    expect(cp.clientUid).toBeNull();
  });

  it("fails the PD's check of the trace's server cryptogram with SC_CRYPTOGRAM_MISMATCH", () => {
    const rndB = ccrypt.data.slice(8, 16);
    const pd = new PdHandshake({ scbk: OTHER, installMode: false, clientUid: UID, random: () => rndB });
    expect(pd.onChallenge(scbData(chlng), chlng.data).ok).toBe(true);
    expect(pd.onScrypt(scbData(scrypt), scrypt.data)).toMatchObject({
      ok: false,
      code: "SC_CRYPTOGRAM_MISMATCH",
    });
  });

  it("any SCBK pair establishes a channel when equal and fails on the cryptogram when not", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        (a, b) => {
          const pd = new PdHandshake({ scbk: b, installMode: false, clientUid: UID });
          const result = handshake(new CpHandshake({ scbk: a }), pd);
          expect(result).toEqual(
            toHex(a) === toHex(b)
              ? { ok: true, mode: "scbk" }
              : { ok: false, code: "SC_CRYPTOGRAM_MISMATCH" },
          );
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe("install mode and SCBK-D", () => {
  it("a CP without a key file and a PD without a key agree on SCBK-D, the SCB data byte 0 both ways", () => {
    const cp = new CpHandshake({ scbk: null });
    const pd = new PdHandshake({ scbk: null, installMode: false, clientUid: UID });
    const challenge = cp.challenge();
    expect([challenge.scb.type, toHex(challenge.scb.data)]).toEqual([SCS.CHLNG, "00"]);
    const answer = pd.onChallenge(challenge.scb.data, challenge.data);
    expect(answer.ok && toHex(answer.message.scb.data)).toBe("00");
    expect(cp.keyMode).toBe("scbk-d");
    expect(handshake(cp, pd)).toEqual({ ok: true, mode: "scbk-d" });
  });

  it("a PD with a key accepts SCBK-D only in install mode", () => {
    const open = new PdHandshake({ scbk: SCBK, installMode: true, clientUid: UID });
    expect(handshake(new CpHandshake({ scbk: null }), open)).toEqual({ ok: true, mode: "scbk-d" });
    const closed = new PdHandshake({ scbk: SCBK, installMode: false, clientUid: UID });
    expect(handshake(new CpHandshake({ scbk: null }), closed)).toEqual({
      ok: false,
      code: "SC_KEY_MODE_MISMATCH",
    });
  });

  it("a CP with a key facing a PD still in install mode says so instead of trying SCBK-D", () => {
    const cp = new CpHandshake({ scbk: SCBK });
    const pd = new PdHandshake({ scbk: null, installMode: true, clientUid: UID });
    const challenge = cp.challenge();
    const answer = pd.onChallenge(challenge.scb.data, challenge.data);
    if (!answer.ok) throw new Error(answer.message);
    const result = cp.onCcrypt(answer.message.scb.data, answer.message.data);
    expect(result).toMatchObject({ ok: false, code: "SC_KEY_MODE_MISMATCH" });
    expect(!result.ok && result.message).toMatch(/install mode/);
  });

  it("SCBK-D is the bytes 0x30 to 0x3F", () => {
    expect(toHex(SCBK_D)).toBe("303132333435363738393a3b3c3d3e3f");
  });
});

describe("messages out of order or of the wrong shape", () => {
  it("CCRYPT before a challenge, or the same CCRYPT twice, is SC_OUT_OF_ORDER", () => {
    const cp = new CpHandshake({ scbk: SCBK, random: () => chlng.data });
    expect(cp.onCcrypt(scbData(ccrypt), ccrypt.data)).toMatchObject({ code: "SC_OUT_OF_ORDER" });
    cp.challenge();
    expect(cp.onCcrypt(scbData(ccrypt), ccrypt.data).ok).toBe(true);
    expect(cp.onCcrypt(scbData(ccrypt), ccrypt.data)).toMatchObject({ code: "SC_OUT_OF_ORDER" });
  });

  it("RMAC_I before SCRYPT, and SCRYPT before CHLNG, are SC_OUT_OF_ORDER", () => {
    const cp = new CpHandshake({ scbk: SCBK, random: () => chlng.data });
    cp.challenge();
    expect(cp.onRmacI(scbData(rmacI), rmacI.data)).toMatchObject({ code: "SC_OUT_OF_ORDER" });
    const pd = new PdHandshake({ scbk: SCBK, installMode: false, clientUid: UID });
    expect(pd.onScrypt(scbData(scrypt), scrypt.data)).toMatchObject({ code: "SC_OUT_OF_ORDER" });
  });

  it.each([
    ["CHLNG of 7 bytes", (m: HandshakeMessage) => ({ ...m, data: m.data.subarray(0, 7) })],
    ["CHLNG naming key mode 0x02", (m: HandshakeMessage) => ({ ...m, scb: { type: 0x11, data: hex("02") } })],
  ] as const)("%s is SC_MALFORMED", (_name, alter) => {
    const challenge = alter(new CpHandshake({ scbk: SCBK }).challenge());
    const pd = new PdHandshake({ scbk: SCBK, installMode: false, clientUid: UID });
    expect(pd.onChallenge(challenge.scb.data, challenge.data)).toMatchObject({
      ok: false,
      code: "SC_MALFORMED",
    });
  });

  it("a CCRYPT or RMAC_I cut short is SC_MALFORMED", () => {
    const cp = new CpHandshake({ scbk: SCBK, random: () => chlng.data });
    cp.challenge();
    expect(cp.onCcrypt(scbData(ccrypt), ccrypt.data.subarray(0, 31))).toMatchObject({ code: "SC_MALFORMED" });
    cp.challenge();
    expect(cp.onCcrypt(scbData(ccrypt), ccrypt.data).ok).toBe(true);
    expect(cp.onRmacI(scbData(rmacI), rmacI.data.subarray(0, 15))).toMatchObject({ code: "SC_MALFORMED" });
  });

  it("an RMAC_I saying the PD refused the CP's cryptogram is SC_REJECTED; an altered R-MAC is SC_RMAC_MISMATCH", () => {
    const cp = new CpHandshake({ scbk: SCBK, random: () => chlng.data });
    cp.challenge();
    cp.onCcrypt(scbData(ccrypt), ccrypt.data);
    expect(cp.onRmacI(hex("ff"), rmacI.data)).toMatchObject({ code: "SC_REJECTED" });
    cp.challenge();
    cp.onCcrypt(scbData(ccrypt), ccrypt.data);
    const altered = rmacI.data.slice();
    altered[15] = (altered[15] as number) ^ 0x01;
    expect(cp.onRmacI(scbData(rmacI), altered)).toMatchObject({ code: "SC_RMAC_MISMATCH" });
  });
});

describe("fresh random numbers and misuse", () => {
  it("each challenge draws a new RND.A from the crypto source", () => {
    const cp = new CpHandshake({ scbk: SCBK });
    expect(toHex(cp.challenge().data)).not.toBe(toHex(cp.challenge().data));
    expect(cryptoRandom(8)).toHaveLength(8);
  });

  it("a key of the wrong size is the caller's bug: SecureChannelError SC_KEY_INVALID", () => {
    expect(() => new CpHandshake({ scbk: SCBK.subarray(0, 15) })).toThrow(SecureChannelError);
    expect(() => new PdHandshake({ scbk: new Uint8Array(17), installMode: false, clientUid: UID })).toThrow(
      expect.objectContaining({ code: "SC_KEY_INVALID" }),
    );
  });
});

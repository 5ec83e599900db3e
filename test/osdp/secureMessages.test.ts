/**
 * Issue 13 §2: messages under the channel on the codec's packet fields. Opening every packet of the
 * libosdp trace gives the plain payloads; sealing them again gives the trace's security blocks, data
 * and MACs; a packet in clear or without its MAC while the channel is up is refused by name.
 */
import { describe, expect, it } from "vitest";
import { SCS } from "../../drivers/osdp/secureChannel.js";
import { openCommand, openReply, sealCommand, sealReply } from "../../drivers/osdp/secureMessages.js";
import { tracePacket as at, scTrace as trace, traceSessions } from "./sessions.js";
import { hexBytes as hex } from "./trace.js";
import { type TracePacket, toHex } from "./tracePackets.js";

/** The MAC input a packet would have with `data` in place of its own: the prefix up to the data, then it. */
function macInputWith(p: TracePacket, data: Uint8Array): Uint8Array {
  const prefix = p.macInput.subarray(0, p.macInput.length - p.data.length);
  const out = new Uint8Array(prefix.length + data.length);
  out.set(prefix);
  out.set(data, prefix.length);
  return out;
}

describe("sealing and opening the libosdp trace's messages", () => {
  it("opens every command and reply to its payload and seals it back to the same block, data and MAC", () => {
    const { cp, pd } = traceSessions();
    const payloads: string[] = [];
    for (const p of trace.slice(8)) {
      const command = p.direction === "command";
      const opened = command ? openCommand(pd, p) : openReply(cp, p);
      if (!opened.ok) throw new Error(`packet ${p.index}: ${opened.message}`);
      if (opened.data.length > 0) payloads.push(`${p.code.toString(16)} ${toHex(opened.data)}`);
      const sealed = command ? sealCommand(cp, opened.data) : sealReply(pd, opened.data);
      expect(sealed.scb.type, `packet ${p.index}`).toBe(p.scb?.type);
      expect(toHex(sealed.data), `packet ${p.index}`).toBe(toHex(p.data));
      expect(toHex(sealed.sign(macInputWith(p, sealed.data))), `packet ${p.index}`).toBe(
        toHex(p.mac ?? hex("")),
      );
    }
    expect(payloads).toEqual([
      "68 00050a00",
      "69 0000020505020014000000000000",
      "6a 0002020101",
      "50 00011a00bd88eb80",
    ]);
  });

  it("uses SCS_15/SCS_16 for messages without data and SCS_17/SCS_18 for those with", () => {
    const { cp, pd } = traceSessions();
    expect(sealCommand(cp, hex("")).scb.type).toBe(SCS.COMMAND_MAC);
    expect(sealCommand(cp, hex("00")).scb.type).toBe(SCS.COMMAND_DATA);
    const poll = at(8);
    expect(openCommand(pd, poll).ok).toBe(true);
    expect(sealReply(pd, hex("")).scb.type).toBe(SCS.REPLY_MAC);
    expect(sealReply(pd, hex("00")).scb.type).toBe(SCS.REPLY_DATA);
  });
});

describe("packets that do not belong on the channel", () => {
  it("a reply in clear while the channel is up is SC_NOT_SECURED, and the chain is left as it was", () => {
    const { cp, pd } = traceSessions();
    const poll = at(8);
    expect(openCommand(pd, poll).ok).toBe(true);
    cp.signCommand(poll.macInput);
    const ack = at(9);
    const clear = { ...ack, scb: null, mac: null };
    expect(openReply(cp, clear)).toMatchObject({ ok: false, code: "SC_NOT_SECURED" });
    expect(openReply(cp, { ...ack, scb: { type: SCS.COMMAND_MAC, data: hex("") } })).toMatchObject({
      code: "SC_NOT_SECURED",
    });
    expect(openReply(cp, ack)).toEqual({ ok: true, data: hex("") });
  });

  it("a command in clear, or a secured one without its MAC, is refused by the PD", () => {
    const { pd } = traceSessions();
    const poll = at(8);
    expect(openCommand(pd, { ...poll, scb: null, mac: null })).toMatchObject({ code: "SC_NOT_SECURED" });
    expect(openCommand(pd, { ...poll, mac: null })).toMatchObject({ code: "SC_MALFORMED" });
    expect(openCommand(pd, poll).ok).toBe(true);
  });

  it("an encrypted command replayed after its reply is refused before it is decrypted", () => {
    const { cp, pd } = traceSessions();
    const out = trace.find((p) => p.code === 0x68) as TracePacket;
    for (const p of trace.slice(8, out.index + 2)) {
      if (p.direction === "command") {
        expect(openCommand(pd, p).ok, `packet ${p.index}`).toBe(true);
        cp.signCommand(p.macInput);
      } else {
        pd.signReply(p.macInput);
        expect(openReply(cp, p).ok, `packet ${p.index}`).toBe(true);
      }
    }
    expect(openCommand(pd, out)).toMatchObject({ code: "SC_MAC_MISMATCH" });
  });
});

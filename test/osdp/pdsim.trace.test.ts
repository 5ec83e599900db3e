/**
 * Issue 13 §6: the simulated PD (firmware-sim) against libosdp's own traces. Every command the
 * libosdp control panel sent is handed to the PD, and its reply must be the libosdp PD's reply
 * byte for byte: ID, CAP, POLL/ACK, OUT, LED, BUZ and the RAW card read in clear; and the whole
 * secure channel (CHLNG → CCRYPT, SCRYPT → RMAC_I, every MAC of the chain, the encrypted RAW) with
 * the trace's SCBK and RND.B.
 */
import { describe, expect, it } from "vitest";
import { decodePacket, type OsdpPacket } from "../../drivers/osdp/packet.js";
import { OsdpPd, type OsdpPdOptions } from "../../firmware-sim/devices/osdpPd.js";
import { ManualScheduler } from "../helpers/fakeTransport.js";
import { TRACE_SCBK } from "./sessions.js";
import { readTrace, type TraceName, withoutMark } from "./trace.js";
import { toHex } from "./tracePackets.js";

/** The libosdp PD of the traces: its PDID and PDCAP (2 inputs, 2 outputs, a display). */
const LIBOSDP_PD: Omit<OsdpPdOptions, "address" | "scbk" | "random"> = {
  installMode: false,
  keyFile: null,
  display: true,
  keypad: true,
  outputs: 2,
  inputs: 2,
  identity: {
    vendorCode: 0xfebabe,
    model: 1,
    version: 1,
    serialNumber: 0xdeadbeaf,
    firmware: { major: 0xad, minor: 0xde, build: 0xad },
  },
  clock: () => 0,
  scheduler: new ManualScheduler(),
};

function packet(bytes: Uint8Array): OsdpPacket {
  const decoded = decodePacket(bytes);
  if (!decoded.ok) throw new Error(decoded.message);
  return decoded.packet;
}

/** Each CP packet of the trace into the PD (the card presented before the last POLL): the replies in hex. */
function replay(name: TraceName, pd: OsdpPd): { expected: string[]; got: string[] } {
  const blocks = readTrace(name);
  const expected: string[] = [];
  const got: string[] = [];
  blocks.forEach((block, i) => {
    if (block.direction === "pd") {
      expected.push(toHex(block.bytes));
      return;
    }
    if (i === blocks.length - 2) pd.present("123:4567", "H10301");
    got.push(toHex(pd.handle(packet(withoutMark(block)))?.bytes ?? new Uint8Array()));
  });
  return { expected, got };
}

describe("the simulated PD replays libosdp's traces", () => {
  it("answers every command of the plain trace with libosdp's PD's bytes (ID, CAP, POLL, OUT, LED, BUZ, RAW)", () => {
    const pd = new OsdpPd({ ...LIBOSDP_PD, address: 5, scbk: TRACE_SCBK });
    const { expected, got } = replay("libosdp-plain-trace.txt", pd);
    expect(got).toHaveLength(13);
    expect(got).toEqual(expected);
    expect(pd.panel.outputs.isOn(0)).toBe(true);
    expect(pd.panel.display.history.map((o) => `${o.via} ${o.text}`)).toEqual([
      "output output 0 ON",
      "led green",
      "buzzer 1 beep",
    ]);
  });

  it("answers every command of the secure-channel trace with libosdp's PD's bytes, MACs and ciphertext included", () => {
    const ccrypt = readTrace("libosdp-sc-trace.txt")[5];
    const rndB = withoutMark(ccrypt ?? { direction: "pd", line: 0, bytes: new Uint8Array() }).slice(17, 25);
    const pd = new OsdpPd({ ...LIBOSDP_PD, address: 0x65, scbk: TRACE_SCBK, random: () => rndB });
    const { expected, got } = replay("libosdp-sc-trace.txt", pd);
    expect(got).toEqual(expected);
    expect(pd.secureState).toBe("secure");
  });
});

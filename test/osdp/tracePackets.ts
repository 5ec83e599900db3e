/**
 * The libosdp traces cut into packet fields at their fixed offsets, for the secure channel's
 * known-answer tests: those check the cryptography alone, without the packet codec under test.
 */
import { readTrace, type TraceName, withoutMark } from "./trace.js";

/** One packet of a trace, mark byte dropped, with its fields cut out at their fixed offsets. */
export interface TracePacket {
  /** Its position in the trace, from 0. */
  index: number;
  direction: "command" | "reply";
  /** The packet from SOM to the end of its check bytes. */
  bytes: Uint8Array;
  control: number;
  scb: { type: number; data: Uint8Array } | null;
  code: number;
  /** The payload as on the wire (encrypted for SCS_17/SCS_18). */
  data: Uint8Array;
  /** The 4 MAC bytes of SCS_15–SCS_18 packets, else null. */
  mac: Uint8Array | null;
  /** What the MAC covers: from SOM to the end of the data. */
  macInput: Uint8Array;
}

const SOM = 0x53;

/** A trace's packets with their fields cut out. */
export function readTracePackets(name: TraceName): TracePacket[] {
  return readTrace(name).map((block, index) =>
    cut(index, block.direction === "cp" ? "command" : "reply", withoutMark(block)),
  );
}

/** Cuts a packet's fields: SOM, address, length (2), control, [SCB], code, data, [MAC], CRC (2). */
function cut(index: number, direction: TracePacket["direction"], bytes: Uint8Array): TracePacket {
  if (bytes[0] !== SOM) throw new Error(`packet ${index} does not start with SOM`);
  const control = bytes[4] as number;
  const hasScb = (control & 0x08) !== 0;
  const scbLength = hasScb ? (bytes[5] as number) : 0;
  const scb = hasScb ? { type: bytes[6] as number, data: bytes.slice(7, 5 + scbLength) } : null;
  const codeAt = 5 + scbLength;
  const macLength = scb !== null && scb.type >= 0x15 ? 4 : 0;
  const dataEnd = bytes.length - 2 - macLength;
  return {
    index,
    direction,
    bytes,
    control,
    scb,
    code: bytes[codeAt] as number,
    data: bytes.slice(codeAt + 1, dataEnd),
    mac: macLength === 0 ? null : bytes.slice(dataEnd, dataEnd + 4),
    macInput: bytes.slice(0, dataEnd),
  };
}

/** Bytes as lower-case hex without separators, for readable assertions. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/**
 * Reads the libosdp known-answer traces in test/fixtures/osdp/: each block is a header line
 * (`<` CP → PD, `>` PD → CP) and a line of hex bytes. The CP's leading 0xFF mark byte is dropped,
 * so every packet starts at SOM, and the fields are cut at their fixed offsets.
 */
import { readFileSync } from "node:fs";

/** The folder of the OSDP test vectors captured from libosdp 3.2.1 (copied in, so CI needs nothing outside). */
export const VECTORS = new URL("../fixtures/osdp/", import.meta.url);

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

const MARK = 0xff;
const SOM = 0x53;

/** Parses one trace file (by name in the vectors folder) into its packets. */
export function readTrace(name: string): TracePacket[] {
  const lines = readFileSync(new URL(name, VECTORS), "utf8").split("\n");
  const packets: TracePacket[] = [];
  for (let i = 0; i < lines.length; i++) {
    const header = lines[i]?.match(/^([<>]) length=(\d+)/);
    if (!header) continue;
    const raw = Uint8Array.from((lines[i + 1] ?? "").trim().split(/\s+/), (h) => Number.parseInt(h, 16));
    if (raw.length !== Number(header[2])) throw new Error(`${name} line ${i + 2}: length does not match`);
    packets.push(cut(packets.length, header[1] === "<" ? "command" : "reply", raw));
  }
  return packets;
}

/** Cuts a packet's fields: SOM, address, length (2), control, [SCB], code, data, [MAC], CRC (2). */
function cut(index: number, direction: TracePacket["direction"], raw: Uint8Array): TracePacket {
  const bytes = raw[0] === MARK ? raw.subarray(1) : raw;
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

/** Bytes from a hex string with optional spaces. */
export function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text.replace(/\s+/g, ""), "hex"));
}

/** Bytes as lower-case hex without separators, for readable assertions. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/**
 * OSDP reply payloads (PD → control panel): typed decode for the gateway's control panel, typed
 * encode for the simulated PD. Decoding never throws: a payload that does not match its code's
 * layout is a named error. Encoding throws RangeError on a value that cannot be sent.
 */

import { CAPABILITY, type NakName, nakName, REPLY } from "./codes.js";
import type { EncodedPayload } from "./commands.js";
import { hex } from "./packet.js";
import {
  byte,
  fixed,
  le,
  lengthError,
  type PayloadResult,
  payloadError,
  readLe,
  recordsError,
} from "./payload.js";

/** One PDCAP record. */
export interface Capability {
  /** A {@link CAPABILITY} function code. */
  code: number;
  compliance: number;
  items: number;
}

/** A PD's identity (PDID). */
export interface PdIdentity {
  /** IEEE OUI, 3 bytes. */
  vendorCode: number;
  model: number;
  version: number;
  serialNumber: number;
  firmware: { major: number; minor: number; build: number };
}

/** A reply a PD sends. */
export type OsdpReply =
  | { kind: "ack" }
  | { kind: "nak"; error: number; name: NakName; detail: Uint8Array }
  | ({ kind: "pdid" } & PdIdentity)
  | { kind: "pdcap"; capabilities: Capability[] }
  | { kind: "lstatr"; tamper: boolean; power: boolean }
  | { kind: "raw"; reader: number; format: number; bitCount: number; data: Uint8Array }
  /** `ascii`: `*` and `#` go out as ASCII, as some keypads send them (never set when decoding). */
  | { kind: "keypad"; reader: number; digits: string; ascii?: boolean }
  | { kind: "com"; address: number; baudRate: number }
  | { kind: "ccrypt"; clientUid: Uint8Array; rndB: Uint8Array; clientCryptogram: Uint8Array }
  | { kind: "rmac_i"; mac: Uint8Array }
  | { kind: "busy" }
  /** Deprecated character-array card data: decoded so that it can be ignored, never sent. */
  | { kind: "fmt" };

/** Keypad keys that are not digits: OSDP sends `*` as 0x7F and `#` as 0x0D. */
const KEY_STAR = 0x7f;
const KEY_HASH = 0x0d;
/** R21: `*` and `#` in ASCII, which some keypads send instead; accepted as the same keys. */
const ASCII_STAR = 0x2a;
const ASCII_HASH = 0x23;

/** Encodes a reply's payload, byte for byte as libosdp's PD builds it. */
export function encodeReply(reply: Exclude<OsdpReply, { kind: "fmt" }>): EncodedPayload {
  const data = (bytes: number[] | Uint8Array) => Uint8Array.from(bytes);
  switch (reply.kind) {
    case "ack":
      return { code: REPLY.ACK, data: data([]) };
    case "busy":
      return { code: REPLY.BUSY, data: data([]) };
    case "nak":
      return { code: REPLY.NAK, data: data([byte("NAK error", reply.error), ...reply.detail]) };
    case "pdid":
      return { code: REPLY.PDID, data: data(pdidBytes(reply)) };
    case "pdcap":
      return {
        code: REPLY.PDCAP,
        data: data(
          reply.capabilities.flatMap((c) => [
            byte("PDCAP code", c.code),
            byte("PDCAP compliance", c.compliance),
            byte("PDCAP items", c.items),
          ]),
        ),
      };
    case "lstatr":
      return { code: REPLY.LSTATR, data: data([reply.tamper ? 1 : 0, reply.power ? 1 : 0]) };
    case "raw":
      if (reply.data.length !== Math.ceil(reply.bitCount / 8)) {
        throw new RangeError(
          `RAW of ${reply.bitCount} bits needs ${Math.ceil(reply.bitCount / 8)} bytes, given ${reply.data.length}`,
        );
      }
      return {
        code: REPLY.RAW,
        data: data([
          byte("RAW reader", reply.reader),
          byte("RAW format", reply.format),
          ...le("RAW bit count", reply.bitCount, 2),
          ...reply.data,
        ]),
      };
    case "keypad":
      return {
        code: REPLY.KEYPAD,
        data: data([
          byte("KEYPAD reader", reply.reader),
          byte("KEYPAD count", reply.digits.length),
          ...keyBytes(reply.digits, reply.ascii === true),
        ]),
      };
    case "com":
      return {
        code: REPLY.COM,
        data: data([byte("COM address", reply.address), ...le("COM baud rate", reply.baudRate, 4)]),
      };
    case "ccrypt":
      return {
        code: REPLY.CCRYPT,
        data: data([
          ...fixed("CCRYPT client UID", reply.clientUid, 8),
          ...fixed("CCRYPT random number", reply.rndB, 8),
          ...fixed("CCRYPT cryptogram", reply.clientCryptogram, 16),
        ]),
      };
    case "rmac_i":
      return { code: REPLY.RMAC_I, data: data(fixed("RMAC_I", reply.mac, 16)) };
  }
}

/** Decodes a reply's payload from its code and data; never throws. */
export function decodeReply(code: number, data: Uint8Array): PayloadResult<OsdpReply> {
  switch (code) {
    case REPLY.ACK:
      return lengthError("ACK", data, 0) ?? ok({ kind: "ack" });
    case REPLY.BUSY:
      return lengthError("BUSY", data, 0) ?? ok({ kind: "busy" });
    case REPLY.NAK: {
      if (data.length < 1) return payloadError("bad_length", "NAK carries an error code, found no data");
      const error = data[0] ?? 0;
      return ok({ kind: "nak", error, name: nakName(error), detail: data.slice(1) });
    }
    case REPLY.PDID:
      return lengthError("PDID", data, 12) ?? ok(readPdid(data));
    case REPLY.PDCAP:
      return recordsError("PDCAP", data, 3) ?? ok({ kind: "pdcap", capabilities: readCapabilities(data) });
    case REPLY.LSTATR:
      return lengthError("LSTATR", data, 2) ?? decodeLocalStatus(data);
    case REPLY.RAW:
      return decodeRaw(data);
    case REPLY.FMT:
      return ok({ kind: "fmt" });
    case REPLY.KEYPAD:
      return decodeKeypad(data);
    case REPLY.COM:
      return (
        lengthError("COM", data, 5) ??
        ok({ kind: "com", address: data[0] ?? 0, baudRate: readLe(data, 1, 4) })
      );
    case REPLY.CCRYPT:
      return (
        lengthError("CCRYPT", data, 32) ??
        ok({
          kind: "ccrypt",
          clientUid: data.slice(0, 8),
          rndB: data.slice(8, 16),
          clientCryptogram: data.slice(16, 32),
        })
      );
    case REPLY.RMAC_I:
      return lengthError("RMAC_I", data, 16) ?? ok({ kind: "rmac_i", mac: data.slice() });
    default:
      return payloadError("unknown_code", `reply code ${hex(code)} is not one the gateway knows`);
  }
}

/** The record for a capability, if the PD reported it. */
export function findCapability(capabilities: readonly Capability[], code: number): Capability | undefined {
  return capabilities.find((c) => c.code === code);
}

/** The PD's receive buffer in bytes (its record keeps the low byte in compliance), if reported. */
export function receiveBufferSize(capabilities: readonly Capability[]): number | undefined {
  const record = findCapability(capabilities, CAPABILITY.RECEIVE_BUFFER_SIZE);
  return record && record.compliance | (record.items << 8);
}

function ok(value: OsdpReply): PayloadResult<OsdpReply> {
  return { ok: true, value };
}

function pdidBytes(id: PdIdentity): number[] {
  // Vendor code and serial number go low byte first, the firmware version major first (as libosdp).
  return [
    ...le("PDID vendor code", id.vendorCode, 3),
    byte("PDID model", id.model),
    byte("PDID version", id.version),
    ...le("PDID serial number", id.serialNumber, 4),
    byte("PDID firmware major", id.firmware.major),
    byte("PDID firmware minor", id.firmware.minor),
    byte("PDID firmware build", id.firmware.build),
  ];
}

function readPdid(data: Uint8Array): OsdpReply {
  return {
    kind: "pdid",
    vendorCode: readLe(data, 0, 3),
    model: data[3] ?? 0,
    version: data[4] ?? 0,
    serialNumber: readLe(data, 5, 4),
    firmware: { major: data[9] ?? 0, minor: data[10] ?? 0, build: data[11] ?? 0 },
  };
}

function readCapabilities(data: Uint8Array): Capability[] {
  const out: Capability[] = [];
  for (let at = 0; at < data.length; at += 3) {
    out.push({ code: data[at] ?? 0, compliance: data[at + 1] ?? 0, items: data[at + 2] ?? 0 });
  }
  return out;
}

function decodeLocalStatus(data: Uint8Array): PayloadResult<OsdpReply> {
  const [tamper = 0, power = 0] = data;
  // A flag other than 0 or 1 is a PD speaking another layout: a guessed tamper alarm is worse.
  if (tamper > 1 || power > 1) {
    return payloadError("bad_value", `LSTATR flags must be 0 or 1, found tamper ${tamper}, power ${power}`);
  }
  return ok({ kind: "lstatr", tamper: tamper === 1, power: power === 1 });
}

function decodeRaw(data: Uint8Array): PayloadResult<OsdpReply> {
  if (data.length < 4)
    return payloadError("bad_length", `RAW carries at least 4 bytes, found ${data.length}`);
  const bitCount = readLe(data, 2, 2);
  const bytes = data.length - 4;
  if (bitCount === 0 || Math.ceil(bitCount / 8) !== bytes) {
    return payloadError("bad_bit_count", `RAW announces ${bitCount} bits, found ${bytes} data bytes`);
  }
  return ok({ kind: "raw", reader: data[0] ?? 0, format: data[1] ?? 0, bitCount, data: data.slice(4) });
}

function decodeKeypad(data: Uint8Array): PayloadResult<OsdpReply> {
  const count = data[1] ?? 0;
  if (data.length < 2 || data.length !== 2 + count) {
    return payloadError("bad_length", `KEYPAD announces ${count} keys in ${data.length} bytes`);
  }
  let digits = "";
  for (const key of data.subarray(2)) {
    if (key >= 0x30 && key <= 0x39) digits += String.fromCharCode(key);
    else if (key === KEY_STAR || key === ASCII_STAR) digits += "*";
    else if (key === KEY_HASH || key === ASCII_HASH) digits += "#";
    else
      return payloadError(
        "bad_value",
        `KEYPAD key ${hex(key)} is not a digit, * (0x7f or 0x2a) or # (0x0d or 0x23)`,
      );
  }
  return ok({ kind: "keypad", reader: data[0] ?? 0, digits });
}

function keyBytes(digits: string, ascii: boolean): number[] {
  return Array.from(digits, (c) => {
    if (c === "*") return ascii ? ASCII_STAR : KEY_STAR;
    if (c === "#") return ascii ? ASCII_HASH : KEY_HASH;
    if (c >= "0" && c <= "9") return c.charCodeAt(0);
    throw new RangeError(`KEYPAD keys are digits, * and #, found ${JSON.stringify(c)}`);
  });
}

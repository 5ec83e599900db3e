/**
 * OSDP packets: encode and decode one packet, pure (no I/O). Layout, every multi-byte field low
 * byte first:
 *
 *   SOM 0x53 | address (bit 7: reply) | length (2, the whole packet) | control | [SCB] | code |
 *   data… | [MAC (4)] | CRC (2) or checksum (1)
 *
 * Control byte: bits 0–1 the sequence number, bit 2 CRC (clear: checksum), bit 3 a security
 * control block follows (its first byte counts itself and the type byte). Security blocks SCS_15
 * to SCS_18 carry a 4-byte MAC after the data; the MAC covers SOM up to the end of the data.
 */
import { checksumOsdp, crc16Osdp } from "./crc.js";

/** Start of message. */
export const SOM = 0x53;
/** The mark byte a control panel may send before a packet (libosdp's does; its PD does not). */
export const MARK = 0xff;
/** SOM, address, length (2), control. */
export const HEADER_LENGTH = 5;
/** The shortest packet: header, code and a one-byte checksum. */
export const MIN_PACKET_LENGTH = HEADER_LENGTH + 2;
/**
 * The longest packet this codec accepts. OSDP's length field allows 65535, but the gateway sends
 * and expects small packets (libosdp's buffers are 256 bytes); a cap keeps a corrupt length
 * field from stalling the frame reader for long (512 bytes is about half a second at 9600 baud).
 */
export const MAX_PACKET_LENGTH = 512;
/** Length of a secure channel MAC on the wire. */
export const MAC_LENGTH = 4;
/** Highest address (0x7F is the broadcast address). */
export const MAX_ADDRESS = 0x7f;

const REPLY_BIT = 0x80;
const CRC_FLAG = 0x04;
const SCB_FLAG = 0x08;

/** The security control block: its type (SCS_11…SCS_18) and data. */
export interface SecurityBlock {
  type: number;
  data: Uint8Array;
}

/** The fields of a packet, as the encoder takes them. */
export interface OsdpPacketFields {
  /** 0–127, without the reply bit. */
  address: number;
  /** True for PD → control panel. */
  reply: boolean;
  /** 0–3. */
  sequence: number;
  integrity: "crc" | "checksum";
  scb: SecurityBlock | null;
  /** The command or reply code. */
  code: number;
  /** The payload as on the wire (encrypted or not). */
  data: Uint8Array;
}

/** A decoded packet. */
export interface OsdpPacket extends OsdpPacketFields {
  /** The 4 MAC bytes, for SCS_15…SCS_18; null otherwise. */
  mac: Uint8Array | null;
  /** What the MAC covers: SOM up to the end of the data, the length field as sent. */
  macInput: Uint8Array;
}

/** Why a packet did not decode. */
export type PacketErrorCode =
  | "bad_som"
  | "truncated"
  | "bad_length"
  | "bad_crc"
  | "bad_checksum"
  | "bad_scb_length"
  | "missing_mac";

/** Result of {@link decodePacket}: never thrown, always returned. */
export type PacketResult =
  | { ok: true; packet: OsdpPacket }
  | { ok: false; error: PacketErrorCode; message: string };

/** Whether a security block type carries a MAC after the data (SCS_15…SCS_18). */
export function hasMac(scbType: number): boolean {
  return scbType >= 0x15 && scbType <= 0x18;
}

/** The packet length a length field announces (bytes 2–3 of a packet, low byte first). */
export function announcedLength(bytes: Uint8Array, start = 0): number {
  return (bytes[start + 2] ?? 0) | ((bytes[start + 3] ?? 0) << 8);
}

/**
 * Decodes exactly one packet (no mark byte: the frame reader strips it). Never throws: a packet
 * that does not check out comes back as a named error saying what was found.
 */
export function decodePacket(bytes: Uint8Array): PacketResult {
  if (bytes[0] !== SOM) return fail("bad_som", `expected SOM 0x53, found ${hex(bytes[0])}`);
  if (bytes.length < HEADER_LENGTH) return fail("truncated", `${bytes.length} bytes, shorter than a header`);
  const length = announcedLength(bytes);
  if (length < MIN_PACKET_LENGTH || length > MAX_PACKET_LENGTH) {
    return fail("bad_length", `length field ${length} outside ${MIN_PACKET_LENGTH}..${MAX_PACKET_LENGTH}`);
  }
  if (bytes.length < length) return fail("truncated", `length field ${length}, only ${bytes.length} bytes`);
  if (bytes.length > length) return fail("bad_length", `length field ${length}, ${bytes.length} bytes given`);
  const control = bytes[4] ?? 0;
  const integrity = control & CRC_FLAG ? "crc" : "checksum";
  const checkEnd = length - (integrity === "crc" ? 2 : 1);
  if (checkEnd < HEADER_LENGTH + 1)
    return fail("bad_length", `length field ${length} leaves no room for a code`);
  const checked = integrityError(bytes, integrity, checkEnd);
  if (checked) return checked;
  let at = HEADER_LENGTH;
  let scb: SecurityBlock | null = null;
  if (control & SCB_FLAG) {
    const scbLength = bytes[at] ?? 0;
    if (scbLength < 2 || at + scbLength >= checkEnd) {
      return fail("bad_scb_length", `security block length ${scbLength} in a ${length}-byte packet`);
    }
    scb = { type: bytes[at + 1] ?? 0, data: bytes.slice(at + 2, at + scbLength) };
    at += scbLength;
  }
  const macBytes = scb && hasMac(scb.type) ? MAC_LENGTH : 0;
  const dataEnd = checkEnd - macBytes;
  if (dataEnd < at + 1) return fail("missing_mac", `security block ${hex(scb?.type)} needs a code and a MAC`);
  return {
    ok: true,
    packet: {
      address: (bytes[1] ?? 0) & MAX_ADDRESS,
      reply: ((bytes[1] ?? 0) & REPLY_BIT) !== 0,
      sequence: control & 0x03,
      integrity,
      scb,
      code: bytes[at] ?? 0,
      data: bytes.slice(at + 1, dataEnd),
      mac: macBytes ? bytes.slice(dataEnd, checkEnd) : null,
      macInput: bytes.slice(0, dataEnd),
    },
  };
}

/**
 * Encodes a packet. With `sign`, the length counts a 4-byte MAC, `sign` is called with the
 * finished prefix (SOM to the end of the data) and its 4 bytes follow the data. Throws RangeError
 * on fields that cannot be sent (the caller's bug, not outside input).
 */
export function encodePacket(
  fields: OsdpPacketFields,
  sign?: (macInput: Uint8Array) => Uint8Array,
): Uint8Array {
  checkFields(fields, sign !== undefined);
  const scbBytes = fields.scb ? [fields.scb.data.length + 2, fields.scb.type, ...fields.scb.data] : [];
  const checkLength = fields.integrity === "crc" ? 2 : 1;
  const macLength = sign ? MAC_LENGTH : 0;
  const length = HEADER_LENGTH + scbBytes.length + 1 + fields.data.length + macLength + checkLength;
  if (length > MAX_PACKET_LENGTH)
    throw new RangeError(`OSDP packet of ${length} bytes exceeds ${MAX_PACKET_LENGTH}`);
  const out = new Uint8Array(length);
  const control = fields.sequence | (fields.integrity === "crc" ? CRC_FLAG : 0) | (fields.scb ? SCB_FLAG : 0);
  out.set([SOM, fields.address | (fields.reply ? REPLY_BIT : 0), length & 0xff, length >> 8, control]);
  out.set(scbBytes, HEADER_LENGTH);
  let at = HEADER_LENGTH + scbBytes.length;
  out[at++] = fields.code;
  out.set(fields.data, at);
  at += fields.data.length;
  if (sign) {
    const mac = sign(out.slice(0, at));
    if (mac.length !== MAC_LENGTH) throw new RangeError(`sign returned ${mac.length} bytes, expected 4`);
    out.set(mac, at);
    at += MAC_LENGTH;
  }
  if (fields.integrity === "crc") {
    const crc = crc16Osdp(out.subarray(0, at));
    out[at] = crc & 0xff;
    out[at + 1] = crc >> 8;
  } else {
    out[at] = checksumOsdp(out.subarray(0, at));
  }
  return out;
}

function checkFields(fields: OsdpPacketFields, signed: boolean): void {
  if (!isInt(fields.address, 0, MAX_ADDRESS))
    throw new RangeError(`OSDP address must be 0..127, found ${fields.address}`);
  if (!isInt(fields.sequence, 0, 3))
    throw new RangeError(`OSDP sequence must be 0..3, found ${fields.sequence}`);
  if (!isInt(fields.code, 0, 0xff)) throw new RangeError(`OSDP code must be a byte, found ${fields.code}`);
  if (fields.scb && (!isInt(fields.scb.type, 0, 0xff) || fields.scb.data.length > 0xfd)) {
    throw new RangeError(
      `OSDP security block type ${fields.scb.type} with ${fields.scb.data.length} data bytes`,
    );
  }
  const wantsMac = fields.scb !== null && hasMac(fields.scb.type);
  if (wantsMac !== signed) {
    throw new RangeError(
      wantsMac
        ? `security block ${hex(fields.scb?.type)} carries a MAC: pass sign`
        : "sign given for a packet without a MAC-carrying security block",
    );
  }
}

function integrityError(
  bytes: Uint8Array,
  integrity: "crc" | "checksum",
  checkEnd: number,
): PacketResult | null {
  const body = bytes.subarray(0, checkEnd);
  if (integrity === "crc") {
    const found = (bytes[checkEnd] ?? 0) | ((bytes[checkEnd + 1] ?? 0) << 8);
    const expected = crc16Osdp(body);
    return found === expected
      ? null
      : fail("bad_crc", `CRC ${hex(found, 4)} on the wire, ${hex(expected, 4)} computed`);
  }
  const found = bytes[checkEnd] ?? 0;
  const expected = checksumOsdp(body);
  return found === expected
    ? null
    : fail("bad_checksum", `checksum ${hex(found)} on the wire, ${hex(expected)} computed`);
}

function fail(error: PacketErrorCode, message: string): PacketResult {
  return { ok: false, error, message };
}

function isInt(n: number, min: number, max: number): boolean {
  return Number.isInteger(n) && n >= min && n <= max;
}

/** A byte (or a word) as 0x-prefixed hex, for messages. */
export function hex(n: number | undefined, digits = 2): string {
  return n === undefined ? "nothing" : `0x${n.toString(16).padStart(digits, "0")}`;
}

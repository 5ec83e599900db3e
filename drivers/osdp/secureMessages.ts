/**
 * Messages under an established secure channel, on the codec's packet fields (the contract with
 * packet.ts: `scb`, `code`, `data` as on the wire, `mac`, `macInput` from SOM to the end of the
 * data). Sealing picks the security block (SCS_15/16 without data, SCS_17/18 with data, as libosdp
 * does), encrypts the data and hands the encoder a signer; opening checks the block, the MAC and
 * the padding. A packet without the channel is `SC_NOT_SECURED`, never taken as if it were secure.
 */
import { SCS, type SecureFailure, secureFailure } from "./secureChannel.js";
import type { CpSession, PdSession } from "./secureSession.js";

/** The fields of a decoded packet the secure channel reads (a structural slice of the codec's packet). */
export interface SecuredPacket {
  scb: { type: number; data: Uint8Array } | null;
  code: number;
  data: Uint8Array;
  mac: Uint8Array | null;
  macInput: Uint8Array;
}

/** What the codec's encoder takes for a message under the channel: the block, the data as sent, the signer. */
export interface SealedMessage {
  scb: { type: number; data: Uint8Array };
  data: Uint8Array;
  /** Called by the encoder with the finished prefix (SOM to the end of the data); returns the 4 MAC bytes. */
  sign(macInput: Uint8Array): Uint8Array;
}

/** A message opened: its payload in clear. */
export type Opened = { ok: true; data: Uint8Array } | SecureFailure;

const NO_DATA = new Uint8Array();

/** The CP's command `data` sealed: SCS_15 with no data, else SCS_17 with the data encrypted. */
export function sealCommand(session: CpSession, data: Uint8Array): SealedMessage {
  const encrypted = data.length > 0;
  return {
    scb: { type: encrypted ? SCS.COMMAND_DATA : SCS.COMMAND_MAC, data: NO_DATA },
    data: encrypted ? session.encryptCommand(data) : NO_DATA,
    sign: (macInput) => session.signCommand(macInput),
  };
}

/** The PD's reply `data` sealed: SCS_16 with no data, else SCS_18 with the data encrypted. */
export function sealReply(session: PdSession, data: Uint8Array): SealedMessage {
  const encrypted = data.length > 0;
  return {
    scb: { type: encrypted ? SCS.REPLY_DATA : SCS.REPLY_MAC, data: NO_DATA },
    data: encrypted ? session.encryptReply(data) : NO_DATA,
    sign: (macInput) => session.signReply(macInput),
  };
}

/** A reply checked against the CP's chain and decrypted; a reply in clear is SC_NOT_SECURED. */
export function openReply(session: CpSession, packet: SecuredPacket): Opened {
  const shape = securedShape(packet, SCS.REPLY_MAC, SCS.REPLY_DATA, "reply");
  if (!shape.ok) return shape;
  const check = session.verifyReply(packet.macInput, shape.mac);
  if (!check.ok) return check;
  if (packet.scb?.type === SCS.REPLY_MAC || packet.data.length === 0) return { ok: true, data: packet.data };
  return session.decryptReply(packet.data);
}

/** A command checked against the PD's chain and decrypted; a command in clear is SC_NOT_SECURED. */
export function openCommand(session: PdSession, packet: SecuredPacket): Opened {
  const shape = securedShape(packet, SCS.COMMAND_MAC, SCS.COMMAND_DATA, "command");
  if (!shape.ok) return shape;
  const check = session.verifyCommand(packet.macInput, shape.mac);
  if (!check.ok) return check;
  if (packet.scb?.type === SCS.COMMAND_MAC || packet.data.length === 0)
    return { ok: true, data: packet.data };
  return session.decryptCommand(packet.data);
}

/** The packet's MAC when its security block is one of the two this direction uses under the channel. */
function securedShape(
  packet: SecuredPacket,
  macOnly: number,
  encrypted: number,
  what: string,
): { ok: true; mac: Uint8Array } | SecureFailure {
  const type = packet.scb?.type;
  if (type !== macOnly && type !== encrypted)
    return secureFailure(
      "SC_NOT_SECURED",
      type === undefined
        ? `a ${what} in clear while the secure channel is up`
        : `a ${what} with security block 0x${type.toString(16)} while the secure channel is up`,
    );
  if (packet.mac === null) return secureFailure("SC_MALFORMED", `a secured ${what} without its MAC`);
  return { ok: true, mac: packet.mac };
}

/**
 * What a simulated OSDP PD says about itself: its capabilities (PDCAP) from its options, in
 * libosdp's order, and its secure channel client id (CCRYPT) from its identity, laid out as
 * libosdp's PD lays it, so the simulator replays libosdp's traces byte for byte.
 */
import { CAPABILITY } from "../../drivers/osdp/codes.js";
import type { Capability, PdIdentity } from "../../drivers/osdp/replies.js";

/** The PD's receive buffer (PDCAP 10), as libosdp's PD reports it. */
const RECEIVE_BUFFER = 256;

/** The options PDCAP reports. */
export interface PdFeatures {
  inputs: number;
  outputs: number;
  display: boolean;
}

/** PDCAP records; items bit 0 of COMMUNICATION_SECURITY says SCBK-D is accepted (install mode). */
export function pdCapabilities(o: PdFeatures, acceptsDefaultKey: boolean): Capability[] {
  const record = (code: number, compliance: number, items: number): Capability[] => [
    { code, compliance, items },
  ];
  return [
    ...(o.inputs > 0 ? record(CAPABILITY.CONTACT_STATUS, 1, o.inputs) : []),
    ...(o.outputs > 0 ? record(CAPABILITY.OUTPUT_CONTROL, 1, o.outputs) : []),
    ...record(CAPABILITY.CARD_DATA_FORMAT, 1, 1),
    ...record(CAPABILITY.READER_LED, 1, 1),
    ...record(CAPABILITY.READER_AUDIBLE, 1, 1),
    ...(o.display ? record(CAPABILITY.READER_TEXT, 1, 1) : []),
    ...record(CAPABILITY.CHECK_CHARACTER, 1, 0),
    ...record(CAPABILITY.COMMUNICATION_SECURITY, 1, acceptsDefaultKey ? 1 : 0),
    ...record(CAPABILITY.RECEIVE_BUFFER_SIZE, RECEIVE_BUFFER & 0xff, RECEIVE_BUFFER >> 8),
    ...record(CAPABILITY.READERS, 0, 1),
    ...record(CAPABILITY.OSDP_VERSION, 2, 0),
  ];
}

/** The CCRYPT client id: vendor code (low 2 bytes), model (2 bytes), serial number (4), low byte first. */
export function clientUid(identity: PdIdentity): Uint8Array {
  const id = new Uint8Array(8);
  const view = new DataView(id.buffer);
  view.setUint16(0, identity.vendorCode & 0xffff, true);
  view.setUint16(2, identity.model, true);
  view.setUint32(4, identity.serialNumber >>> 0, true);
  return id;
}

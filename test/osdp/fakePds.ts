/**
 * Scripted PDs on a fake OSDP link, for the control panel's rule tests: each answers with main's
 * codec and the PD side of the secure channel (PdHandshake, PdSession, sealReply), and a test can
 * silence it, script its next answers, or make it forget its session. Every packet the CP wrote is
 * kept decoded (opened under the channel), so a test reads the conversation as sentences.
 */
import { REPLY } from "../../drivers/osdp/codes.js";
import { decodeCommand, type OsdpCommand } from "../../drivers/osdp/commands.js";
import { OsdpFrameReader } from "../../drivers/osdp/frameReader.js";
import type { OsdpLink } from "../../drivers/osdp/osdpBus.js";
import { decodePacket, encodePacket, type OsdpPacket } from "../../drivers/osdp/packet.js";
import { encodeReply, type OsdpReply } from "../../drivers/osdp/replies.js";
import { PdHandshake } from "../../drivers/osdp/secureHandshake.js";
import { openCommand, sealReply } from "../../drivers/osdp/secureMessages.js";
import type { PdSession } from "../../drivers/osdp/secureSession.js";
import { Listeners } from "../../drivers/transport/listeners.js";
import type { Transport } from "../../drivers/transport/transport.js";

/** One packet the CP wrote, as a PD saw it. */
export interface Written {
  address: number;
  sequence: number;
  /** The command's kind ("poll", "chlng"…), or "?" when the PD could not open it. */
  kind: string;
  /** Whether it came under the secure channel (SCS_15/17). */
  sealed: boolean;
  /** The CHLNG's key mode byte (1: SCBK, 0: SCBK-D). */
  keyMode?: number;
  bytes: string;
  command?: OsdpCommand;
}

/** An answer a test scripts: a reply, a reply sent in clear even under the channel, or silence. */
export type Scripted =
  | OsdpReply
  | { kind: "clear"; reply: OsdpReply }
  | { kind: "badMac"; reply: OsdpReply }
  | { kind: "silence" };

/** What a fake PD is given. */
export interface FakePdOptions {
  address: number;
  /** Its SCBK; null: none yet (install mode). No `secure` at all: a PD without the secure channel. */
  secure?: { scbk: Uint8Array | null; installMode: boolean };
  display?: boolean;
}

/** A PD that answers the CP as a well-behaved reader would, unless scripted otherwise. */
export class FakePd {
  readonly address: number;
  silent = false;
  /** Answers for the next commands other than the handshake's, in order. */
  readonly script: Scripted[] = [];
  scbk: Uint8Array | null;
  private readonly options: FakePdOptions;
  private handshake: PdHandshake | null = null;
  session: PdSession | null = null;

  constructor(options: FakePdOptions) {
    this.options = options;
    this.address = options.address;
    this.scbk = options.secure?.scbk ?? null;
  }

  /** The PD's answer to a packet, and how the CP's packet read. */
  answer(packet: OsdpPacket, bytes: string): { written: Written; reply: Uint8Array | null } {
    const written: Written = {
      address: packet.address,
      sequence: packet.sequence,
      kind: "?",
      sealed: false,
      bytes,
    };
    // Unplugged: the packet reaches nobody.
    if (this.silent) return { written, reply: null };
    const opened = this.open(packet, written);
    if (opened === null) return { written, reply: this.encode(packet.sequence, nak(6), true) };
    const [code, data] = opened;
    if (code === 0x76 || code === 0x77)
      return { written, reply: this.handshakeReply(packet, code, data, written) };
    const decoded = decodeCommand(code, data);
    if (decoded.ok) {
      written.kind = decoded.value.kind;
      written.command = decoded.value;
    }
    const next = this.script.shift() ?? this.normal(written.command);
    if (next.kind === "silence") return { written, reply: null };
    const wrapped = next.kind === "clear" || next.kind === "badMac";
    const plain = wrapped ? next.reply : (next as OsdpReply);
    const reply = this.encode(packet.sequence, plain, next.kind === "clear", next.kind === "badMac");
    if (written.kind === "keyset" && written.command?.kind === "keyset") {
      // The new key holds from the next handshake on.
      this.scbk = written.command.key;
      this.session = null;
    }
    return { written, reply };
  }

  /** The command's code and data in clear; null when the channel refused it (answered NAK 6). */
  private open(packet: OsdpPacket, written: Written): [number, Uint8Array] | null {
    // Sequence 0: the CP starts afresh, and so does the PD's secure channel (as libosdp's PD does).
    if (packet.sequence === 0) this.session = null;
    if (this.session === null) return [packet.code, packet.data];
    if (packet.code === 0x76) {
      this.session = null;
      return [packet.code, packet.data];
    }
    const opened = openCommand(this.session, packet);
    if (!opened.ok) {
      this.session = null;
      return null;
    }
    written.sealed = true;
    return [packet.code, opened.data];
  }

  private handshakeReply(packet: OsdpPacket, code: number, data: Uint8Array, written: Written): Uint8Array {
    written.kind = code === 0x76 ? "chlng" : "scrypt";
    const secure = this.options.secure;
    if (secure === undefined) return this.encode(packet.sequence, nak(3), true);
    const scbData = packet.scb?.data ?? new Uint8Array();
    if (code === 0x76) {
      written.keyMode = scbData[0];
      this.handshake = new PdHandshake({
        scbk: this.scbk,
        installMode: secure.installMode,
        clientUid: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8),
        random: () => Uint8Array.of(8, 7, 6, 5, 4, 3, 2, 1),
      });
      const answer = this.handshake.onChallenge(scbData, data);
      if (!answer.ok) return this.encode(packet.sequence, nak(6), true);
      return this.encodeRaw(packet.sequence, answer.message.scb, REPLY.CCRYPT, answer.message.data);
    }
    const done = this.handshake?.onScrypt(scbData, data);
    if (!done?.ok) return this.encode(packet.sequence, nak(6), true);
    this.session = done.session;
    return this.encodeRaw(packet.sequence, done.message.scb, REPLY.RMAC_I, done.message.data);
  }

  private normal(command: OsdpCommand | undefined): OsdpReply {
    if (command?.kind === "id")
      return {
        kind: "pdid",
        vendorCode: 0xabcdef,
        model: 1,
        version: 2,
        serialNumber: 42,
        firmware: { major: 1, minor: 0, build: 3 },
      };
    if (command?.kind === "cap") {
      const text = this.options.display ? [{ code: 6, compliance: 1, items: 1 }] : [];
      return {
        kind: "pdcap",
        capabilities: [{ code: 2, compliance: 1, items: 2 }, ...text, { code: 10, compliance: 0, items: 1 }],
      };
    }
    return { kind: "ack" };
  }

  private encode(sequence: number, reply: OsdpReply, clear: boolean, badMac = false): Uint8Array {
    const payload = encodeReply(reply as Exclude<OsdpReply, { kind: "fmt" }>);
    if (this.session === null || clear) return this.encodeRaw(sequence, null, payload.code, payload.data);
    const sealed = sealReply(this.session, payload.data);
    const fields = { address: this.address, reply: true, sequence, integrity: "crc" as const };
    // A MAC altered on the way (the CRC is computed after it, so only the MAC check can tell).
    const sign = (macInput: Uint8Array) =>
      sealed.sign(macInput).map((b, i) => (badMac && i === 0 ? b ^ 0xff : b));
    return encodePacket({ ...fields, scb: sealed.scb, code: payload.code, data: sealed.data }, sign);
  }

  private encodeRaw(sequence: number, scb: OsdpPacket["scb"], code: number, data: Uint8Array): Uint8Array {
    return encodePacket({ address: this.address, reply: true, sequence, integrity: "crc", scb, code, data });
  }
}

/** A NAK with its error code. */
export function nak(error: number): OsdpReply {
  return { kind: "nak", error, name: "none", detail: new Uint8Array() };
}

/** The fake RS-485 line: every write reaches the PD at its address, whose answer comes back. */
export class FakeLine implements OsdpLink {
  readonly written: Written[] = [];
  /** When each packet was written (the fake clock's ms). */
  readonly times: number[] = [];
  /** Writes that came while a reply was still on its way. */
  overlaps = 0;
  /** Bytes each PD replied with, by address. */
  readonly replied = new Map<number, number>();
  private replying = false;
  private readonly pds = new Map<number, FakePd>();
  private readonly listeners = new Listeners<{ data: (bytes: Uint8Array) => void }>();

  constructor(pds: FakePd[]) {
    for (const pd of pds) this.pds.set(pd.address, pd);
  }

  on(event: "data", listener: (bytes: Uint8Array) => void): () => void {
    return this.listeners.on(event, listener);
  }

  /** What the CP wrote to one PD, in order. */
  to(address: number): Written[] {
    return this.written.filter((w) => w.address === address);
  }

  write(bytes: Uint8Array): Promise<void> {
    // Half duplex: a write while a reply is still on its way would garble both.
    if (this.replying) this.overlaps++;
    this.times.push(Date.now());
    const reply = this.receive(bytes.subarray(1));
    if (reply !== null) {
      const to = decodePacket(bytes.subarray(1));
      if (to.ok)
        this.replied.set(to.packet.address, (this.replied.get(to.packet.address) ?? 0) + reply.length);
      this.replying = true;
      queueMicrotask(() => {
        this.replying = false;
        this.listeners.emit("data", reply);
      });
    }
    return Promise.resolve();
  }

  /** A CP packet (without its mark byte) reaches the PD at its address: its answer, or null. */
  receive(packetBytes: Uint8Array): Uint8Array | null {
    const decoded = decodePacket(packetBytes);
    if (!decoded.ok) throw new Error(`the CP wrote a bad packet: ${decoded.message}`);
    const { packet } = decoded;
    const pd = this.pds.get(packet.address);
    const hex = Buffer.from(packetBytes).toString("hex");
    if (pd === undefined) {
      this.written.push({
        address: packet.address,
        sequence: packet.sequence,
        kind: "?",
        sealed: false,
        bytes: hex,
      });
      return null;
    }
    const { written, reply } = pd.answer(packet, hex);
    this.written.push(written);
    return pd.silent ? null : reply;
  }
}

/** Plays the line's PDs on a real transport (the far end of a pty pair): packets in, answers out. */
export function serveLine(line: FakeLine, transport: Transport): void {
  const reader = new OsdpFrameReader();
  transport.on("data", (bytes) => {
    for (const event of reader.push(bytes)) {
      if (event.kind !== "packet" || event.packet.reply) continue;
      const reply = line.receive(event.bytes);
      // A reply into a line the test just cut fails (EIO): lost like on a real cut cable.
      if (reply !== null) transport.write(reply).catch(() => undefined);
    }
  });
}

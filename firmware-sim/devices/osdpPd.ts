/**
 * A simulated OSDP PD (LED, buzzer, display, keypad, outputs) made of the gateway's OSDP codec and
 * the PD side of its secure channel: a decoded command in, the reply's bytes out (osdpBus.ts does the
 * I/O). It answers its address and the broadcast; a repeat of the last sequence gets the last reply
 * again, not carried out twice; sequence 0 starts over. A bad MAC, a secured command without a
 * session, or KEYSET in clear gets NAK "security conditions".
 */
import { CMD, REPLY, SCS } from "../../drivers/osdp/codes.js";
import { decodeCommand, type OsdpCommand } from "../../drivers/osdp/commands.js";
import { writeNewKeyFile } from "../../drivers/osdp/keyFile.js";
import { encodePacket, hasMac, MAX_ADDRESS, type OsdpPacket } from "../../drivers/osdp/packet.js";
import { encodeReply, type OsdpReply, type PdIdentity } from "../../drivers/osdp/replies.js";
import { KeyHolder, type SecureFailureCode } from "../../drivers/osdp/secureChannel.js";
import { type HandshakeMessage, PdHandshake, type RandomSource } from "../../drivers/osdp/secureHandshake.js";
import { openCommand, sealReply } from "../../drivers/osdp/secureMessages.js";
import type { PdSession } from "../../drivers/osdp/secureSession.js";
import type { Scheduler } from "../../runtime/scheduler.js";
import { type PdCardFormat, rawCardRead } from "./osdpCard.js";
import { clientUid, pdCapabilities } from "./osdpPdIdentity.js";
import { PdPanel } from "./osdpPdPanel.js";

/** The broadcast address: every PD on the bus takes it (used to set up a lone PD). */
export const BROADCAST_ADDRESS = MAX_ADDRESS;

/** A late reply arrives after this long: well past the control panel's 200 ms reply timeout. */
export const LATE_REPLY_MS = 400;

/** Faults a technician switches on to test a control panel with. */
export const PD_FAULTS = ["none", "silent", "late", "bad-crc", "clear", "busy"] as const;
/**
 * `silent`: no reply; `late`: every reply {@link LATE_REPLY_MS} late; `bad-crc`: a corrupt CRC;
 * `clear`: replies in clear while the secure channel is up; `busy`: BUSY to every command.
 */
export type PdFault = (typeof PD_FAULTS)[number];

/** A reply the PD sends (the deprecated FMT is never one). */
type PdReplyPayload = Exclude<OsdpReply, { kind: "fmt" }>;

/** NAK error codes the PD sends (codes.ts names them all). */
const NAK = { COMMAND_LENGTH: 2, UNKNOWN_COMMAND: 3, SEQUENCE: 4, SECURITY_CONDITIONS: 6, RECORD: 9 };

/** What an OsdpPd is handed. */
export interface OsdpPdOptions {
  address: number;
  /** The SCBK; null when the PD has none yet (it answers with SCBK-D until a KEYSET). */
  scbk: Uint8Array | null;
  /** Also accept a handshake with SCBK-D while it has an SCBK. */
  installMode: boolean;
  /** Where a KEYSET's key is written (0600), so a restarted PD keeps it; null keeps it in memory. */
  keyFile: string | null;
  display: boolean;
  keypad: boolean;
  /** Outputs 0..n-1 (OUT); 0 for none. */
  outputs: number;
  /** Contact inputs reported in PDCAP (their state is not simulated). */
  inputs: number;
  identity: PdIdentity;
  clock: () => number;
  scheduler: Scheduler;
  /** RND.B for the handshake; default Node's crypto. */
  random?: RandomSource;
  fault?: PdFault;
}

/** The reply to one command: its bytes, and how long the PD takes before sending them. */
export interface PdReply {
  bytes: Uint8Array;
  delayMs: number;
}

/** The secure channel as the console shows it. */
export type PdSecureState = "clear" | "secure" | "secure (install mode, SCBK-D)";

/** One simulated PD. Key material never shows in JSON or inspect (KeyHolder). */
export class OsdpPd extends KeyHolder {
  /** LED, buzzer, display and outputs as the CP set them. */
  readonly panel: PdPanel;
  private readonly options: OsdpPdOptions;
  private currentAddress: number;
  private baud = 9600;
  private scbk: Uint8Array | null;
  private installMode: boolean;
  private handshake: PdHandshake;
  private session: PdSession | null = null;
  private last: { sequence: number; bytes: Uint8Array } | null = null;
  private readonly events: PdReplyPayload[] = [];
  private tampered = false;
  private powerFailed = false;
  private currentFault: PdFault;
  /** The last secure channel failure, for the console. */
  lastFailure: SecureFailureCode | null = null;

  constructor(options: OsdpPdOptions) {
    super();
    this.options = options;
    this.currentAddress = options.address;
    this.scbk = options.scbk;
    this.installMode = options.installMode;
    this.currentFault = options.fault ?? "none";
    this.handshake = this.newHandshake();
    this.panel = new PdPanel(options.clock, options.scheduler);
  }

  /** A log line shows the address and the channel's state, never a key. */
  protected shown(): Record<string, unknown> {
    return { address: this.currentAddress, secure: this.secureState, hasKey: this.scbk !== null };
  }

  /** The address it answers (COMSET changes it). */
  get address(): number {
    return this.currentAddress;
  }

  /** The baud rate COMSET last set. */
  get baudRate(): number {
    return this.baud;
  }

  /** Whether the PD has a key of its own (false: install mode with SCBK-D only). */
  get hasKey(): boolean {
    return this.scbk !== null;
  }

  /** The secure channel now: in clear, or a session with its SCBK or with SCBK-D. */
  get secureState(): PdSecureState {
    if (this.session === null) return "clear";
    return this.session.keyMode === "scbk-d" ? "secure (install mode, SCBK-D)" : "secure";
  }

  /** Whether its case is open. */
  get tamper(): boolean {
    return this.tampered;
  }

  /** Whether its power supply has failed. */
  get powerFailure(): boolean {
    return this.powerFailed;
  }

  /** The fault switched on (`none`: none). */
  get fault(): PdFault {
    return this.currentFault;
  }

  /** Card reads, keys and status changes waiting for a POLL. */
  get pendingEvents(): number {
    return this.events.length;
  }

  /** Whether a packet to `address` is for this PD. */
  accepts(address: number): boolean {
    return address === this.currentAddress || address === BROADCAST_ADDRESS;
  }

  /** Switches a fault on (`none` switches it off). */
  setFault(fault: PdFault): void {
    this.currentFault = fault;
  }

  /** Drops the secure session, as a PD that restarted would: its next secured command gets a NAK. */
  dropSession(): void {
    this.endSession();
  }

  /** Presents a card (`123:4567`, or hex bits for `raw`) for the next POLL's RAW; USAGE if it does not fit. */
  present(card: string, format: PdCardFormat = "H10301", bits?: number): void {
    this.events.push(rawCardRead(`PD ${this.currentAddress}`, card, format, bits));
  }

  /** Keys (0-9 * #) for the next POLL's KEYPAD, * and # in ASCII if `ascii`; RangeError without a keypad. */
  typeKeys(digits: string, ascii = false): void {
    if (!this.options.keypad) throw new RangeError(`PD ${this.currentAddress} has no keypad`);
    // encodeReply checks the keys now, so a bad key is refused here rather than at the next POLL.
    encodeReply({ kind: "keypad", reader: 0, digits });
    this.events.push({ kind: "keypad", reader: 0, digits, ascii });
  }

  /** Opens (true) or closes its tamper switch; the change is reported as LSTATR. */
  setTamper(on: boolean): void {
    if (this.tampered === on) return;
    this.tampered = on;
    this.events.push(this.localStatus());
  }

  /** Loses (true) or regains its power supply; the change is reported as LSTATR. */
  setPowerFailure(failed: boolean): void {
    if (this.powerFailed === failed) return;
    this.powerFailed = failed;
    this.events.push(this.localStatus());
  }

  /** Stops its timers. */
  stop(): void {
    this.panel.stop();
  }

  /** The reply to a packet on the bus; null for packets not to this PD, replies, and the `silent` fault. */
  handle(packet: OsdpPacket): PdReply | null {
    if (packet.reply || !this.accepts(packet.address) || this.currentFault === "silent") return null;
    let bytes: Uint8Array;
    if (this.currentFault === "busy") {
      // BUSY asks for the same command again later: nothing is carried out or remembered.
      bytes = this.encode(packet, { kind: "busy" }, false);
    } else if (this.last !== null && packet.sequence !== 0 && packet.sequence === this.last.sequence) {
      // The CP repeats a command whose reply it lost: the same reply again, not a second action.
      bytes = this.last.bytes;
    } else {
      bytes = this.answer(packet);
      this.last = { sequence: packet.sequence, bytes };
    }
    if (this.currentFault === "bad-crc") bytes = corruptCheck(bytes);
    return { bytes, delayMs: this.currentFault === "late" ? LATE_REPLY_MS : 0 };
  }

  private answer(packet: OsdpPacket): Uint8Array {
    if (packet.sequence !== 0 && this.last !== null && packet.sequence !== nextSequence(this.last.sequence))
      return this.nak(packet, NAK.SEQUENCE);
    const scb = packet.scb;
    if (scb?.type === SCS.CHLNG && packet.code === CMD.CHLNG) return this.onChallenge(packet);
    if (scb?.type === SCS.SCRYPT && packet.code === CMD.SCRYPT) return this.onScrypt(packet);
    let data = packet.data;
    if (scb !== null) {
      if (!hasMac(scb.type) || this.session === null) return this.refuse(packet, null);
      const opened = openCommand(this.session, packet);
      if (!opened.ok) return this.refuse(packet, opened.code);
      data = opened.data;
    } else if (this.session !== null) {
      // A command in clear: the CP gave the session up (libosdp's PD ends it the same way).
      this.endSession();
    }
    const decoded = decodeCommand(packet.code, data);
    if (!decoded.ok)
      return this.nak(packet, decoded.error === "unknown_code" ? NAK.UNKNOWN_COMMAND : NAK.COMMAND_LENGTH);
    const { reply, after } = this.execute(decoded.value, scb !== null);
    const bytes = this.encode(packet, reply, true);
    after?.();
    return bytes;
  }

  /** Carries a command out; `after` runs once the reply is built (COMSET's new address). */
  private execute(command: OsdpCommand, secured: boolean): { reply: PdReplyPayload; after?: () => void } {
    const ack: PdReplyPayload = { kind: "ack" };
    const nak = (error: number): { reply: PdReplyPayload } => ({
      reply: { kind: "nak", error, name: "none", detail: new Uint8Array() },
    });
    switch (command.kind) {
      case "poll":
        return { reply: this.events.shift() ?? ack };
      case "id":
        return { reply: { kind: "pdid", ...this.options.identity } };
      case "cap":
        return {
          reply: {
            kind: "pdcap",
            capabilities: pdCapabilities(this.options, this.installMode || this.scbk === null),
          },
        };
      case "lstat":
        return { reply: this.localStatus() };
      case "led":
        this.panel.applyLed(command.leds);
        return { reply: ack };
      case "buz":
        this.panel.applyBuzzer(command);
        return { reply: ack };
      case "text":
        if (!this.options.display) return nak(NAK.UNKNOWN_COMMAND);
        this.panel.applyText(command);
        return { reply: ack };
      case "out":
        if (command.outputs.some((o) => o.output >= this.options.outputs)) return nak(NAK.RECORD);
        this.panel.applyOutputs(command.outputs);
        return { reply: ack };
      case "comset":
        return this.comset(command.address, command.baudRate);
      case "keyset":
        if (!secured) return nak(NAK.SECURITY_CONDITIONS);
        return this.keyset(command.keyType, command.key) ? { reply: ack } : nak(NAK.RECORD);
      case "chlng":
      case "scrypt":
        // The handshake without its security block is no handshake.
        return nak(NAK.SECURITY_CONDITIONS);
      case "fmt":
        return { reply: ack };
    }
  }

  private comset(address: number, baudRate: number): { reply: PdReplyPayload; after?: () => void } {
    if (address >= BROADCAST_ADDRESS || baudRate < 1)
      return { reply: { kind: "nak", error: NAK.RECORD, name: "record", detail: new Uint8Array() } };
    // OSDP: the reply goes out from the old address; the new settings apply after it.
    return {
      reply: { kind: "com", address, baudRate },
      after: () => {
        this.currentAddress = address;
        this.baud = baudRate;
      },
    };
  }

  /** Keeps a new SCBK (written to the key file first, so a restart keeps it); false when refused. */
  private keyset(keyType: number, key: Uint8Array): boolean {
    if (keyType !== 1 || key.length !== 16) return false;
    if (this.options.keyFile !== null) {
      try {
        writeNewKeyFile(this.options.keyFile, () => key);
      } catch {
        // A PD that cannot store the key must not start using it: the CP would lose it on a restart.
        return false;
      }
    }
    this.scbk = Uint8Array.from(key);
    // With a key of its own the PD leaves install mode; the session goes on until the next handshake.
    this.installMode = false;
    this.handshake = this.newHandshake();
    return true;
  }

  private onChallenge(packet: OsdpPacket): Uint8Array {
    this.endSession();
    const result = this.handshake.onChallenge(packet.scb?.data ?? new Uint8Array(), packet.data);
    if (!result.ok) return this.refuse(packet, result.code);
    return this.handshakeReply(packet, result.message, REPLY.CCRYPT);
  }

  private onScrypt(packet: OsdpPacket): Uint8Array {
    const result = this.handshake.onScrypt(packet.scb?.data ?? new Uint8Array(), packet.data);
    if (!result.ok) return this.refuse(packet, result.code);
    const bytes = this.handshakeReply(packet, result.message, REPLY.RMAC_I);
    this.session = result.session;
    this.lastFailure = null;
    return bytes;
  }

  private handshakeReply(packet: OsdpPacket, message: HandshakeMessage, code: number): Uint8Array {
    return encodePacket({ ...this.replyHeader(packet), scb: message.scb, code, data: message.data });
  }

  /** NAK "security conditions" in clear, the session (if any) ended. */
  private refuse(packet: OsdpPacket, failure: SecureFailureCode | null): Uint8Array {
    this.endSession();
    this.lastFailure = failure ?? "SC_NOT_SECURED";
    return this.nak(packet, NAK.SECURITY_CONDITIONS);
  }

  private nak(packet: OsdpPacket, error: number): Uint8Array {
    return this.encode(packet, { kind: "nak", error, name: "none", detail: new Uint8Array() }, true);
  }

  /** A reply packet: sealed while a session is up (unless the `clear` fault says otherwise). */
  private encode(packet: OsdpPacket, reply: PdReplyPayload, seal: boolean): Uint8Array {
    const { code, data } = encodeReply(reply);
    const header = this.replyHeader(packet);
    const session = this.session;
    if (session === null || !seal || this.currentFault === "clear")
      return encodePacket({ ...header, scb: null, code, data });
    const sealed = sealReply(session, data);
    return encodePacket({ ...header, scb: sealed.scb, code, data: sealed.data }, sealed.sign);
  }

  private replyHeader(packet: OsdpPacket) {
    return {
      address: this.currentAddress,
      reply: true,
      sequence: packet.sequence,
      integrity: packet.integrity,
    };
  }

  private endSession(): void {
    this.session = null;
  }

  private newHandshake(): PdHandshake {
    return new PdHandshake({
      scbk: this.scbk,
      installMode: this.installMode,
      clientUid: clientUid(this.options.identity),
      ...(this.options.random === undefined ? {} : { random: this.options.random }),
    });
  }

  private localStatus(): PdReplyPayload {
    return { kind: "lstatr", tamper: this.tampered, power: this.powerFailed };
  }
}

/** The sequence after `n`: 1, 2, 3, 1… (0 only starts a conversation). */
function nextSequence(n: number): number {
  return (n % 3) + 1;
}

/** The packet with its last check byte flipped (the `bad-crc` fault). */
function corruptCheck(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[out.length - 1] = (out[out.length - 1] ?? 0) ^ 0xff;
  return out;
}

/**
 * The secure channel in use between the control panel and one PD: its key, the handshake under
 * way, the established session, and its state as the gateway reports it. The channel never falls
 * back to clear text by itself: a failure is named and kept until the next attempt.
 */
import { CMD, REPLY, SCS } from "./codes.js";
import type { EncodedPayload } from "./commands.js";
import type { SecureState } from "./cpTypes.js";
import { encodePacket, MARK, type OsdpPacket } from "./packet.js";
import { replyName } from "./pdFacts.js";
import { secureFailure as fail, type SecureFailure } from "./secureChannel.js";
import { CpHandshake, type HandshakeMessage, type RandomSource } from "./secureHandshake.js";
import { type Opened, openReply, sealCommand } from "./secureMessages.js";
import type { CpSession } from "./secureSession.js";

/** What a channel is handed. */
export interface CpChannelOptions {
  mode: "required" | "off";
  /** The reader's SCBK; null: install mode (SCBK-D). */
  scbk: Uint8Array | null;
  random: RandomSource;
  /** How long after a failure the handshake is tried again, in ms. */
  retryMs: number;
}

/** A handshake step that failed, or null when it went on. */
export type StepResult = SecureFailure | null;

/** The CP's side of one PD's secure channel. */
export class CpChannel {
  readonly required: boolean;
  private readonly options: CpChannelOptions;
  private scbk: Uint8Array | null;
  private handshake: CpHandshake | null = null;
  private scrypt: HandshakeMessage | null = null;
  private session: CpSession | null = null;
  private current: SecureState;
  private why: string | undefined;
  private retryAt = 0;

  constructor(options: CpChannelOptions) {
    this.options = options;
    this.required = options.mode === "required";
    this.scbk = options.scbk;
    this.current = this.required ? "none" : "off";
  }

  /** The state to report. */
  get state(): SecureState {
    return this.current;
  }

  /** Why it failed or was dropped last, if it was. */
  get reason(): string | undefined {
    return this.why;
  }

  /** Whether messages are sealed (the session is up). */
  get up(): boolean {
    return this.session !== null;
  }

  /** Required but not up: the PD's card reads and keys are refused, commands are not sent. */
  get insecure(): boolean {
    return this.required && this.session === null;
  }

  /** When a failed channel is tried again (ms). */
  get retryDue(): number {
    return this.retryAt;
  }

  /** Forgets the session (the PD restarted or went offline); the next setup starts from CHLNG. */
  reset(): void {
    this.session = this.handshake = this.scrypt = null;
    if (this.required) this.current = "none";
  }

  /** The CHLNG packet of a fresh handshake (a fresh RND.A), in clear with its security block. */
  challengeFrame(address: number, sequence: number): Uint8Array {
    this.handshake = new CpHandshake({ scbk: this.scbk, random: this.options.random });
    this.current = "handshake";
    return handshakeFrame(address, sequence, CMD.CHLNG, this.handshake.challenge());
  }

  /** The SCRYPT packet, after a CCRYPT that checked out. */
  scryptFrame(address: number, sequence: number): Uint8Array {
    if (this.scrypt === null) throw new Error("SCRYPT before a CCRYPT checked out");
    return handshakeFrame(address, sequence, CMD.SCRYPT, this.scrypt);
  }

  /** A command packet (mark byte first): sealed under the session, in clear without one. */
  frame(address: number, sequence: number, payload: EncodedPayload): Uint8Array {
    const fields = { address, reply: false, sequence, integrity: "crc" as const };
    if (this.session === null) return withMark(encodePacket({ ...fields, scb: null, ...payload }));
    const sealed = sealCommand(this.session, payload.data);
    const { scb, data, sign } = sealed;
    return withMark(encodePacket({ ...fields, scb, code: payload.code, data }, sign));
  }

  /** Takes the PD's answer to CHLNG. */
  onCcrypt(packet: OsdpPacket): StepResult {
    if (this.handshake === null || packet.code !== REPLY.CCRYPT || packet.scb?.type !== SCS.CCRYPT)
      return fail("SC_NOT_SECURED", `the PD answered CHLNG with ${replyName(packet.code)}`);
    const answer = this.handshake.onCcrypt(packet.scb.data, packet.data);
    if (!answer.ok) return answer;
    this.scrypt = answer.message;
    return null;
  }

  /** Takes the PD's answer to SCRYPT: the session is up (with the SCBK, or SCBK-D in install mode). */
  onRmacI(packet: OsdpPacket): StepResult {
    const handshake = this.handshake;
    this.handshake = this.scrypt = null;
    if (handshake === null || packet.code !== REPLY.RMAC_I || packet.scb?.type !== SCS.RMAC_I)
      return fail("SC_OUT_OF_ORDER", `the PD answered SCRYPT with ${replyName(packet.code)}`);
    const done = handshake.onRmacI(packet.scb.data, packet.data);
    if (!done.ok) return done;
    this.session = done.session;
    this.current = done.session.keyMode === "scbk" ? "established" : "install";
    this.why = undefined;
    return null;
  }

  /** A reply's payload: checked and decrypted under the session, as it came without one. */
  open(packet: OsdpPacket): Opened {
    // A NAK in clear is how a PD says it dropped the channel: it is read, its code says why.
    if (this.session === null || (packet.scb === null && packet.code === REPLY.NAK))
      return { ok: true, data: packet.data };
    return openReply(this.session, packet);
  }

  /** The channel dropped: it is set up again before anything else is sent. */
  drop(reason: string): void {
    this.session = this.handshake = this.scrypt = null;
    this.current = "handshake";
    this.why = reason;
  }

  /** The channel could not be set up: kept as failed, tried again after `retryMs`. */
  fail(failure: { code: string; message: string }, now: number): void {
    this.session = this.handshake = this.scrypt = null;
    this.current = "failed";
    this.why = `${failure.code}: ${failure.message}`;
    this.retryAt = now + this.options.retryMs;
  }

  /** The key KEYSET gave the PD: the next handshake uses it. */
  setKey(scbk: Uint8Array): void {
    this.scbk = scbk;
  }
}

/** CHLNG or SCRYPT: in clear, with the handshake's security block. */
function handshakeFrame(
  address: number,
  sequence: number,
  code: number,
  message: HandshakeMessage,
): Uint8Array {
  const fields = { address, reply: false, sequence, integrity: "crc" as const };
  return withMark(encodePacket({ ...fields, scb: message.scb, code, data: message.data }));
}

/** The control panel's mark byte before the packet, as libosdp sends it. */
function withMark(packet: Uint8Array): Uint8Array {
  const out = new Uint8Array(packet.length + 1);
  out[0] = MARK;
  out.set(packet, 1);
  return out;
}

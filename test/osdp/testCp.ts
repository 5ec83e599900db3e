/**
 * A test-side control panel for checking the simulated PD: the gateway's packet codec, frame
 * reader and the CP side of its secure channel on a real serial port, one exchange at a time. Not
 * a control panel (no poll loop, no retries, no offline tracking): just enough to send a command
 * and see the reply as the wire carried it.
 */
import { CMD, SCS } from "../../drivers/osdp/codes.js";
import { type EncodedPayload, encodeCommand, type OsdpCommand } from "../../drivers/osdp/commands.js";
import { OsdpFrameReader } from "../../drivers/osdp/frameReader.js";
import { encodePacket, MARK, type OsdpPacket } from "../../drivers/osdp/packet.js";
import { decodeReply, type OsdpReply } from "../../drivers/osdp/replies.js";
import type { SecureFailureCode } from "../../drivers/osdp/secureChannel.js";
import { CpHandshake } from "../../drivers/osdp/secureHandshake.js";
import { openReply, sealCommand } from "../../drivers/osdp/secureMessages.js";
import type { CpSession } from "../../drivers/osdp/secureSession.js";
import type { Transport } from "../../drivers/transport/transport.js";

/** What came back for one command: the packet (null: none in time), the reply, and any failure. */
export interface Exchange {
  packet: OsdpPacket | null;
  /** The decoded reply (opened under the channel); null when none came or it did not decode. */
  reply: OsdpReply | null;
  /** The reply's bytes as on the wire. */
  bytes: Uint8Array | null;
  /** A frame error (bad_crc…), a secure channel failure (SC_NOT_SECURED…), or a payload error. */
  failure: string | null;
}

type Sendable = Exclude<OsdpCommand, { kind: "fmt" }>;

/** One control panel on one port; `timeoutMs` is how long it waits for each reply. */
export class TestCp {
  private readonly port: Transport;
  private readonly reader = new OsdpFrameReader();
  private readonly sequences = new Map<number, number>();
  private readonly sessions = new Map<number, CpSession>();
  private waiting: ((result: { packet: OsdpPacket; bytes: Uint8Array } | string) => void) | null = null;
  private lastSent: Uint8Array | null = null;
  /** Packets that arrived while no command was waiting (a late reply). */
  readonly unexpected: OsdpPacket[] = [];
  // Generous: a loaded CI machine has delayed a reply past 300 ms; tests of silence set their own.
  timeoutMs = 2_000;

  constructor(port: Transport) {
    this.port = port;
    port.on("data", (chunk) => {
      for (const event of this.reader.push(chunk)) {
        const waiting = this.waiting;
        if (event.kind === "packet" && waiting === null) this.unexpected.push(event.packet);
        else if (event.kind === "packet") waiting?.({ packet: event.packet, bytes: event.bytes });
        else waiting?.(event.error);
      }
    });
  }

  /** Sends a command to `address` (sealed when a session is up) with the next sequence number. */
  async send(address: number, command: Sendable, options: { sequence?: number } = {}): Promise<Exchange> {
    return this.sendPayload(address, encodeCommand(command), options);
  }

  /** Sends a code and data as they are (an unknown code, a bad length). */
  async sendPayload(
    address: number,
    payload: EncodedPayload,
    options: { sequence?: number; scb?: { type: number; data: Uint8Array }; forgeMac?: boolean } = {},
  ): Promise<Exchange> {
    const sequence = options.sequence ?? this.nextSequence(address);
    const header = { address, reply: false, sequence, integrity: "crc" as const, code: payload.code };
    const session = this.sessions.get(address);
    let bytes: Uint8Array;
    if (session !== undefined && options.scb === undefined) {
      const sealed = sealCommand(session, payload.data);
      // A forged MAC: four zero bytes instead of the chain's (the session's chain is not moved).
      const sign = options.forgeMac ? () => new Uint8Array(4) : sealed.sign;
      bytes = encodePacket({ ...header, scb: sealed.scb, data: sealed.data }, sign);
    } else bytes = encodePacket({ ...header, scb: options.scb ?? null, data: payload.data });
    return this.write(address, bytes);
  }

  /** Sends the last packet again, byte for byte (a CP retrying after a lost reply). */
  async repeat(address: number): Promise<Exchange> {
    if (this.lastSent === null) throw new Error("nothing was sent yet");
    return this.write(address, this.lastSent);
  }

  /** Runs the secure channel handshake with `scbk` (null: SCBK-D); ok, or the step that failed. */
  async secure(address: number, scbk: Uint8Array | null): Promise<{ ok: true } | { ok: false; why: string }> {
    this.sessions.delete(address);
    const handshake = new CpHandshake({ scbk });
    const challenge = handshake.challenge();
    const first = await this.sendPayload(
      address,
      { code: CMD.CHLNG, data: challenge.data },
      { scb: challenge.scb },
    );
    if (first.packet?.scb?.type !== SCS.CCRYPT) return { ok: false, why: describe(first) };
    const answered = handshake.onCcrypt(first.packet.scb.data, first.packet.data);
    if (!answered.ok) return { ok: false, why: answered.code };
    const second = await this.sendPayload(
      address,
      { code: CMD.SCRYPT, data: answered.message.data },
      { scb: answered.message.scb },
    );
    if (second.packet?.scb?.type !== SCS.RMAC_I) return { ok: false, why: describe(second) };
    const done = handshake.onRmacI(second.packet.scb.data, second.packet.data);
    if (!done.ok) return { ok: false, why: done.code };
    this.sessions.set(address, done.session);
    return { ok: true };
  }

  /** Writes bytes as they are, expecting no reply (line noise, a broken packet). */
  async writeRaw(bytes: Uint8Array): Promise<void> {
    await this.port.write(bytes);
  }

  /** Forgets the session with `address` (its next commands go in clear). */
  forget(address: number): void {
    this.sessions.delete(address);
  }

  private nextSequence(address: number): number {
    const last = this.sequences.get(address);
    const next = last === undefined ? 0 : (last % 3) + 1;
    this.sequences.set(address, next);
    return next;
  }

  private async write(address: number, bytes: Uint8Array): Promise<Exchange> {
    this.lastSent = bytes;
    const answer = new Promise<{ packet: OsdpPacket; bytes: Uint8Array } | string | null>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        this.reader.flush();
        resolve(null);
      }, this.timeoutMs);
      this.waiting = (result) => {
        clearTimeout(timer);
        this.waiting = null;
        resolve(result);
      };
    });
    await this.port.write(Uint8Array.of(MARK, ...bytes));
    const result = await answer;
    if (result === null) return { packet: null, reply: null, bytes: null, failure: null };
    if (typeof result === "string") return { packet: null, reply: null, bytes: null, failure: result };
    return { ...this.open(address, result.packet), bytes: result.bytes };
  }

  private open(address: number, packet: OsdpPacket): Omit<Exchange, "bytes"> {
    const session = this.sessions.get(address);
    let data = packet.data;
    let failure: SecureFailureCode | null = null;
    if (session !== undefined) {
      const opened = openReply(session, packet);
      if (opened.ok) data = opened.data;
      else failure = opened.code;
    }
    const decoded = decodeReply(packet.code, data);
    return {
      packet,
      reply: decoded.ok ? decoded.value : null,
      failure: failure ?? (decoded.ok ? null : decoded.error),
    };
  }
}

function describe(exchange: Exchange): string {
  if (exchange.reply?.kind === "nak") return `NAK ${exchange.reply.name}`;
  return exchange.failure ?? (exchange.packet === null ? "no reply" : `reply ${exchange.reply?.kind}`);
}

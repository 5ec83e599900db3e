/**
 * One PD as the control panel sees it: a pure state machine (no I/O, no timers, the time handed in)
 * that the bus asks when it wants to talk (`dueAt`), for the packet to send (`takePacket`), and
 * tells what came back (`onReply`) or that nothing did (`onTimeout`). After start or going offline:
 * ID → CAP → the secure channel (CHLNG … RMAC_I) unless it is off → POLL, with the gateway's
 * queued commands sent in place of a POLL. Sequence numbers: 0 to start afresh, then 1, 2, 3, 1…;
 * a packet that got no reply is sent again as it was, with the same number.
 */
import { NAK_NAMES, REPLY } from "./codes.js";
import { type EncodedPayload, encodeCommand } from "./commands.js";
import { CpChannel } from "./cpChannel.js";
import type { CommandResult, PdCapabilities, PdCommand, PdCounters, PdStatus } from "./cpTypes.js";
import { nakAction } from "./nakPolicy.js";
import type { OsdpPacket } from "./packet.js";
import { CommandQueue, type QueuedCommand } from "./pdCommands.js";
import { capabilitiesOf, emptyCounters, nextSequence, pollOutcome, refusedWhat } from "./pdFacts.js";
import { type Flight, nakedPacket, type PdMachineOptions, type Step } from "./pdFlight.js";
import { decodeReply, type OsdpReply, type PdIdentity } from "./replies.js";

export type { PdMachineOptions } from "./pdFlight.js";

/** The control panel's state machine for one PD. */
export class PdMachine {
  readonly address: number;
  readonly counters: PdCounters = emptyCounters();
  private readonly options: PdMachineOptions;
  private readonly queue: CommandQueue;
  private readonly channel: CpChannel;
  private step: Step = "id";
  private sequence = 0;
  private online = false;
  private flight: Flight | null = null;
  private again: Flight | null = null;
  private notBefore = 0;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private lastReplyAt = 0;
  private tamper = false;
  private powerFailure = false;
  private identity: PdIdentity | null = null;
  private capabilities: PdCapabilities | null = null;
  private stopped = false;
  /** The last NAK reported for a POLL, until a POLL is answered otherwise. */
  private lastNak: number | null = null;
  /** The settings a COM named, until the PD answers again here (then it did not move after all). */
  private movedTo: { address: number; baudRate: number } | null = null;

  constructor(options: PdMachineOptions) {
    this.options = options;
    this.address = options.address;
    this.queue = new CommandQueue(options.address);
    this.channel = new CpChannel({
      mode: options.secureChannel,
      scbk: options.scbk,
      random: options.random,
      retryMs: options.timings.handshakeRetryMs,
    });
  }

  /** The PD's state now. */
  status(): PdStatus {
    const { address, online, tamper, powerFailure } = this;
    const status: PdStatus = { address, online, secureChannel: this.channel.state, tamper, powerFailure };
    if (this.channel.reason !== undefined) status.reason = this.channel.reason;
    return status;
  }

  /** Queues a command for the PD; settles on its ACK (or COM), NAK, or the PD going offline. */
  enqueue(command: PdCommand): Promise<CommandResult> {
    const { stopped, online, channel } = this;
    const state = {
      stopped,
      online,
      channelRequired: channel.required,
      channelFailed: channel.state === "failed",
    };
    return this.queue.add(command, this.capabilities, { ...state, channelReason: channel.reason });
  }

  /** Whether its next packet is a command the gateway queued (a door, a reader's feedback), not a POLL. */
  hasCommand(): boolean {
    return this.online && this.step === "poll" && this.again === null && this.queue.length > 0;
  }

  /** When the PD next wants the bus (ms, on the clock the bus hands in). */
  dueAt(): number {
    if (this.again || !this.online || this.step !== "poll" || this.queue.length > 0) return this.notBefore;
    const { pollIntervalMs, offlineRetryMs } = this.options.timings;
    // Without the channel it needs, a PD is only polled to know it is there (its cards are refused).
    if (this.channel.state !== "failed") return this.lastSentAt + pollIntervalMs;
    return Math.min(this.lastSentAt + offlineRetryMs, this.channel.retryDue);
  }

  /** The next packet for the PD (mark byte first); it is on the wire until a reply or timeout. */
  takePacket(now: number): Uint8Array {
    this.lastSentAt = now;
    this.counters.sent++;
    if (this.again) {
      this.flight = this.again;
      this.again = null;
      this.counters.resends++;
      return this.flight.bytes;
    }
    if (!this.online) this.restart();
    if (this.step === "poll" && this.channel.state === "failed" && now >= this.channel.retryDue)
      this.step = "chlng";
    this.flight = this.build();
    return this.flight.bytes;
  }

  /** A reply to the packet on the wire; false when it is stale (another sequence number). */
  onReply(packet: OsdpPacket, now: number): boolean {
    const flight = this.flight;
    if (flight === null) return false;
    if (packet.sequence !== flight.sequence) {
      this.counters.staleReplies++;
      return false;
    }
    this.flight = null;
    this.movedTo = null;
    this.counters.replies++;
    this.lastReplyAt = now;
    this.notBefore = now;
    if (!this.online) {
      this.online = true;
      this.report();
    }
    if (packet.code === REPLY.BUSY && packet.scb === null) {
      // BUSY: alive but cannot answer yet; the same packet again later, not counted as a failure.
      this.counters.busy++;
      this.again = flight;
      this.notBefore = now + this.options.timings.busyRetryMs;
      return true;
    }
    this.sequence = nextSequence(flight.sequence);
    if ((flight.what === "chlng" || flight.what === "scrypt") && packet.code !== REPLY.NAK) {
      this.onHandshakeReply(flight.what, packet, now);
      return true;
    }
    const reply = this.open(packet, flight);
    if (reply !== null) this.handle(flight, reply, now);
    return true;
  }

  /** No reply in time: the same packet again, or offline after 8 s without a valid reply. */
  onTimeout(now: number): void {
    const flight = this.flight;
    if (flight === null) return;
    this.flight = null;
    this.counters.timeouts++;
    const { offlineAfterMs, offlineRetryMs } = this.options.timings;
    if (!this.online) {
      this.notBefore = this.lastSentAt + offlineRetryMs;
    } else if (now - this.lastReplyAt >= offlineAfterMs) {
      flight.item?.reject(this.queue.error("OSDP_OFFLINE", `no reply for ${offlineAfterMs} ms`));
      this.goOffline();
    } else {
      this.again = flight;
      this.notBefore = now;
    }
  }

  /** Rejects everything queued: the bus is stopping. */
  stop(): void {
    this.stopped = true;
    for (const f of [this.flight, this.again])
      f?.item?.reject(this.queue.error("OSDP_STOPPED", "the bus stopped"));
    this.flight = this.again = null;
    this.queue.rejectAll("OSDP_STOPPED", "the bus stopped");
  }

  /** Back to the start: sequence 0, ID, no secure channel. */
  private restart(): void {
    this.sequence = 0;
    this.step = "id";
    this.channel.reset();
  }

  private goOffline(): void {
    this.online = false;
    this.counters.wentOffline++;
    this.again = null;
    this.restart();
    this.queue.rejectAll("OSDP_OFFLINE", "the PD went offline");
    this.notBefore = this.lastSentAt + this.options.timings.offlineRetryMs;
    this.report();
    if (this.movedTo) this.options.emit({ kind: "moved", address: this.address, to: this.movedTo });
    this.movedTo = null;
  }

  private build(): Flight {
    const sequence = this.sequence;
    switch (this.step) {
      case "id":
      case "cap":
        return this.packet(this.step, sequence, encodeCommand({ kind: this.step }));
      case "chlng":
        this.counters.handshakes++;
        return { what: "chlng", sequence, bytes: this.channel.challengeFrame(this.address, sequence) };
      case "scrypt":
        return { what: "scrypt", sequence, bytes: this.channel.scryptFrame(this.address, sequence) };
      case "poll": {
        const item = this.queue.take();
        if (item?.command.kind === "keyset" && !this.channel.up) {
          item.reject(
            this.queue.error("OSDP_NOT_SECURED", "KEYSET is only ever sent under the secure channel"),
          );
          return this.build();
        }
        if (item) return this.packet("command", sequence, item.payload, item);
        return this.packet("poll", sequence, encodeCommand({ kind: "poll" }));
      }
    }
  }

  /** A command in clear, or sealed when the channel is up. */
  private packet(
    what: Flight["what"],
    sequence: number,
    payload: EncodedPayload,
    item?: QueuedCommand,
  ): Flight {
    return { what, item, sequence, bytes: this.channel.frame(this.address, sequence, payload) };
  }

  private onHandshakeReply(what: "chlng" | "scrypt", packet: OsdpPacket, now: number): void {
    const failure = what === "chlng" ? this.channel.onCcrypt(packet) : this.channel.onRmacI(packet);
    if (failure) {
      this.secureFailed(failure, now);
      return;
    }
    this.step = what === "chlng" ? "scrypt" : "poll";
    if (what === "scrypt") this.report();
  }

  /** The reply's payload decoded, or null when it was refused (and reported). */
  private open(packet: OsdpPacket, flight: Flight): OsdpReply | null {
    const opened = this.channel.open(packet);
    if (!opened.ok) {
      // A card read in clear is a card refused: the reader counts it (not_secured) like one polled in clear.
      this.reject(refusedWhat(packet.code), opened.code, opened.message);
      this.dropChannel(`${opened.code}: ${opened.message}`, flight.item);
      return null;
    }
    const decoded = decodeReply(packet.code, opened.data);
    if (decoded.ok) return decoded.value;
    this.reject(refusedWhat(packet.code), decoded.error, decoded.message);
    // The PD answered, only not in a layout we read: a command it took is done, ID or CAP move on.
    flight.item?.resolve({ kind: "ack" });
    this.skipSetupStep(flight);
    return null;
  }

  private handle(flight: Flight, reply: OsdpReply, now: number): void {
    if (reply.kind === "nak") {
      this.onNak(flight, reply.error, now);
      return;
    }
    if (reply.kind === "busy") {
      // A sealed BUSY moved the MAC chain: the command is sealed afresh on its next turn.
      if (flight.item) this.queue.putBack(flight.item);
      this.counters.busy++;
      this.notBefore = now + this.options.timings.busyRetryMs;
      return;
    }
    if (flight.what === "id" && reply.kind === "pdid") this.identity = reply;
    else if (flight.what === "cap" && reply.kind === "pdcap") {
      const capabilities = capabilitiesOf(reply.capabilities);
      this.capabilities = capabilities;
      this.options.emit({
        kind: "capabilities",
        address: this.address,
        identity: this.identity,
        capabilities,
      });
    } else if (flight.what === "poll") this.onPollReply(reply);
    else if (flight.item) this.onCommandReply(flight.item, reply);
    else this.reject("reply", "unexpected", `${reply.kind} in answer to ${flight.what.toUpperCase()}`);
    this.skipSetupStep(flight);
  }

  private onPollReply(reply: OsdpReply): void {
    this.lastNak = null;
    const outcome = pollOutcome(this.address, reply, this.channel.insecure);
    if (outcome.kind === "event") this.options.emit(outcome.event);
    else if (outcome.kind === "refused") this.reject(outcome.what, outcome.code, outcome.message);
    else if (
      outcome.kind === "local" &&
      (outcome.tamper !== this.tamper || outcome.powerFailure !== this.powerFailure)
    ) {
      this.tamper = outcome.tamper;
      this.powerFailure = outcome.powerFailure;
      this.report();
    }
  }

  private onCommandReply(item: QueuedCommand, reply: OsdpReply): void {
    if (reply.kind === "com" && item.command.kind === "comset") {
      const { address, baudRate } = reply;
      item.resolve({ kind: "com", address, baudRate });
      // The configuration is the truth: the PD is still polled here; if it moved, going offline says where.
      this.movedTo = { address, baudRate };
      return;
    }
    if (reply.kind === "com")
      this.reject("reply", "unexpected", `com in answer to ${item.command.kind.toUpperCase()}`);
    item.resolve({ kind: "ack" });
    if (item.command.kind === "keyset") {
      // The PD takes the new key at once: the channel is set up again with it.
      this.channel.setKey(item.command.key);
      this.dropChannel("a new key was set (KEYSET)");
    }
  }

  private onNak(flight: Flight, error: number, now: number): void {
    this.counters.naks++;
    const name = NAK_NAMES[error as keyof typeof NAK_NAMES] ?? "unknown";
    const item = flight.item;
    const what = (item?.command.kind ?? flight.what).toUpperCase();
    const wanted = this.channel.required && this.channel.state !== "failed";
    const action = nakAction(error, nakedPacket(flight.what), wanted);
    if (action !== "restart" && action !== "handshake-refused" && action !== "set-up-again")
      this.skipSetupStep(flight);
    const fail = (code: "OSDP_NAK" | "OSDP_UNSUPPORTED", message: string) =>
      item?.reject(this.queue.error(code, message, name));
    switch (action) {
      case "restart":
        if (item) this.queue.putBack(item);
        this.reject("reply", name, "sequence error: starting again at 0");
        this.restart();
        this.report();
        break;
      case "handshake-refused":
        this.secureFailed({ code: "SC_REJECTED", message: `the PD answered ${what} with NAK ${name}` }, now);
        break;
      case "set-up-again":
        this.reject("reply", name, "the PD refused the secure channel's conditions: setting it up again");
        this.dropChannel(`NAK ${name}`, item);
        break;
      case "send-again":
        if (item && item.requeued++ === 0) {
          this.queue.putBack(item);
          this.reject("reply", name, `${what} arrived damaged: sending it again`);
        } else fail("OSDP_NAK", `the PD refused ${what}: ${name}`);
        break;
      case "unsupported":
        if (item) this.queue.markUnsupported(item.command.kind);
        fail("OSDP_UNSUPPORTED", `the PD does not support ${what}`);
        break;
      case "fail":
        fail("OSDP_NAK", `the PD refused ${what}: ${name}`);
        break;
      case "report":
        // A PD that NAKs every POLL (it wants a channel we could not set up, or that is off here)
        // is counted at each, reported once: when the channel failed, or when its NAK changes.
        if (this.channel.state !== "failed" && this.lastNak !== error)
          this.reject("reply", name, `NAK to ${what}`);
        this.lastNak = error;
    }
  }

  /** ID and CAP move on whatever the answer: a PD that cannot tell must not be asked forever. */
  private skipSetupStep(flight: Flight): void {
    if (flight.what === "id") this.step = "cap";
    else if (flight.what === "cap") this.step = this.channel.required ? "chlng" : "poll";
  }

  /** The channel dropped: set up again before anything else; the command in hand goes first after. */
  private dropChannel(reason: string, item?: QueuedCommand): void {
    this.channel.drop(reason);
    this.step = "chlng";
    if (item && item.requeued++ === 0) this.queue.putBack(item);
    else
      item?.reject(
        this.queue.error("OSDP_NOT_SECURED", `the secure channel dropped twice sending it: ${reason}`),
      );
    this.report();
  }

  /** No channel: reported, cards refused, commands refused, polled in clear, tried again later. */
  private secureFailed(failure: { code: string; message: string }, now: number): void {
    this.channel.fail(failure, now);
    this.step = "poll";
    this.queue.rejectAll("OSDP_NOT_SECURED", `no secure channel: ${this.channel.reason}`);
    this.reject("secure channel", failure.code, failure.message);
    this.report();
  }

  private reject(what: string, code: string, message: string): void {
    this.counters.rejected++;
    this.options.emit({ kind: "rejected", address: this.address, what, code, message });
  }

  private report(): void {
    this.options.emit({ kind: "status", ...this.status() });
  }
}

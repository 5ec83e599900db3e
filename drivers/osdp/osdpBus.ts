/**
 * One RS-485 port's OSDP bus: the control panel's side, several PDs (multi-drop) on one link. Half
 * duplex: one packet on the wire at a time, the next only after its reply or its reply timeout.
 * PDs take turns round robin among those that want the bus, so a silent PD costs the others one
 * reply timeout per turn and never starves them. The frame reader runs on the link's bytes; the
 * PDs' state machines decide what to send. Card bits out, commands in: no member logic here.
 */
import type { Logger } from "pino";
import { cancel, type Pending, type Scheduler, soon } from "../../runtime/scheduler.js";
import { Listeners } from "../transport/listeners.js";
import {
  type CardEvent,
  type CommandResult,
  type CpTimings,
  defaultTimings,
  type KeypadEvent,
  OsdpCommandError,
  type PdCapabilities,
  type PdCommand,
  type PdCounters,
  type PdEvent,
  type PdStatus,
  type RejectedEvent,
} from "./cpTypes.js";
import { type FrameEvent, type FrameReaderCounts, OsdpFrameReader } from "./frameReader.js";
import { PdMachine } from "./pdMachine.js";
import type { PdIdentity } from "./replies.js";
import type { RandomSource } from "./secureHandshake.js";

/**
 * Queued commands go before POLLs that are due, but at most this many in a row while a POLL waits:
 * a door's OUT should not wait behind every other reader's POLL (eight of them are 240 ms at 9600
 * baud), and a reader flooded with commands must not keep the others from being polled.
 */
export const MAX_COMMAND_RUN = 4;

/** Longer than the longest packet takes to send at 9600 baud (512 bytes: 533 ms). */
const WRITE_GUARD_MS = 1_000;

/** The bytes of one port: what ReconnectingTransport (or a plain Transport) offers. */
export interface OsdpLink {
  write(bytes: Uint8Array): Promise<void>;
  on(event: "data", listener: (bytes: Uint8Array) => void): () => void;
}

/** One PD on the bus. */
export interface BusPd {
  address: number;
  secureChannel: "required" | "off";
  /** The reader's SCBK, or null for install mode (SCBK-D). */
  scbk: Uint8Array | null;
}

/** What a bus is handed. */
export interface OsdpBusOptions {
  /** For log lines: the port's name. */
  port: string;
  link: OsdpLink;
  pds: BusPd[];
  scheduler: Scheduler;
  now: () => number;
  random: RandomSource;
  logger: Logger;
  timings?: Partial<CpTimings>;
}

/** What the bus reports. */
export interface OsdpBusEvents {
  card: (event: CardEvent) => void;
  keypad: (event: KeypadEvent) => void;
  status: (status: PdStatus) => void;
  rejected: (event: RejectedEvent) => void;
  capabilities: (event: {
    address: number;
    identity: PdIdentity | null;
    capabilities: PdCapabilities;
  }) => void;
}

/** The bus's counts: each PD's, the frame reader's, and replies nobody was waiting for. */
export interface OsdpBusCounters {
  pds: Record<number, PdCounters>;
  frames: FrameReaderCounts;
  strayReplies: number;
}

/** The control panel for the PDs on one port; the constructor only assigns, `start()` polls. */
export class OsdpBus {
  private readonly options: OsdpBusOptions;
  private readonly timings: CpTimings;
  private readonly machines: PdMachine[];
  private readonly reader = new OsdpFrameReader();
  private readonly listeners = new Listeners<OsdpBusEvents>();
  private readonly log: Logger;
  private outstanding: { machine: PdMachine; token: number } | null = null;
  private token = 0;
  private last = -1;
  /** Commands sent in a row ahead of a due POLL. */
  private commandRun = 0;
  private strayReplies = 0;
  private wake: Pending | undefined;
  /** In pump(): a send() then schedules instead of pumping again from inside it. */
  private pumping = false;
  /** While a reply is handled: its events, reported once the exchange is settled. */
  private held: PdEvent[] | null = null;
  private replyTimer: unknown;
  private unsubscribe: (() => void) | undefined;
  private running = false;

  constructor(options: OsdpBusOptions) {
    this.options = options;
    this.timings = { ...defaultTimings, ...options.timings };
    this.log = options.logger;
    const addresses = new Set(options.pds.map((p) => p.address));
    if (addresses.size !== options.pds.length)
      throw new RangeError(`OSDP bus ${options.port}: two PDs share an address`);
    this.machines = options.pds.map(
      (pd) =>
        new PdMachine({
          ...pd,
          random: options.random,
          timings: this.timings,
          emit: (event) => this.relay(event),
        }),
    );
  }

  /** Subscribes to card, keypad, status, rejected or capabilities; returns a function that unsubscribes. */
  on<K extends keyof OsdpBusEvents>(event: K, listener: OsdpBusEvents[K]): () => void {
    return this.listeners.on(event, listener);
  }

  /** Starts reading the link and polling; later calls do nothing. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.options.link.on("data", (bytes) => this.onBytes(this.reader.push(bytes)));
    this.schedule(0);
  }

  /** Stops polling; queued commands reject with OSDP_STOPPED. The link is the caller's to close. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.unsubscribe?.();
    this.clearTimers();
    this.outstanding = null;
    for (const machine of this.machines) machine.stop();
  }

  /** The link was (re)opened: bytes of a half packet from before belong to nobody. */
  lineReset(): void {
    this.reader.flush();
  }

  /** Queues a command for the PD at `address`; settles on its ACK, NAK, or the PD going offline. */
  send(address: number, command: PdCommand): Promise<CommandResult> {
    const machine = this.machines.find((m) => m.address === address);
    if (machine === undefined)
      return Promise.reject(
        new OsdpCommandError("OSDP_INVALID", address, `no PD at this address on ${this.options.port}`),
      );
    const result = machine.enqueue(command);
    // A command for an idle bus goes out now, in this call: a door's OUT is on the wire before the
    // caller goes on (its log line, the grant's LED and beep), not on the next turn of the loop.
    if (this.running && this.outstanding === null) {
      if (this.pumping) this.schedule(0);
      else {
        if (this.wake !== undefined) cancel(this.options.scheduler, this.wake);
        this.pump();
      }
    }
    return result;
  }

  /** Every PD's state. */
  status(): PdStatus[] {
    return this.machines.map((m) => m.status());
  }

  /** The bytes one PD has sent on this bus (its counters' `bytes`, without copying every PD's). */
  bytesFrom(address: number): number {
    return this.machines.find((m) => m.address === address)?.counters.bytes ?? 0;
  }

  /** The running counts. */
  counters(): OsdpBusCounters {
    const pds: Record<number, PdCounters> = {};
    for (const m of this.machines) pds[m.address] = { ...m.counters };
    return { pds, frames: this.reader.counts(), strayReplies: this.strayReplies };
  }

  /**
   * Sends for the next PD that wants the bus, round robin from the one after the last served; a PD
   * with a queued command first (up to MAX_COMMAND_RUN in a row); or sleeps until one will want it.
   */
  private pump(): void {
    this.wake = undefined;
    if (!this.running || this.outstanding !== null || this.machines.length === 0) return;
    // A listener that sends while a packet is being built (a PD's event out of takePacket) waits.
    this.pumping = true;
    try {
      this.pumpOne();
    } finally {
      this.pumping = false;
    }
  }

  private pumpOne(): void {
    const now = this.options.now();
    const count = this.machines.length;
    let soonest = Number.POSITIVE_INFINITY;
    let first: number | undefined;
    let command: number | undefined;
    for (let i = 1; i <= count; i++) {
      const index = (this.last + i) % count;
      const machine = this.machines[index] as PdMachine;
      const due = machine.dueAt();
      if (due > now) {
        soonest = Math.min(soonest, due);
        continue;
      }
      first ??= index;
      if (command === undefined && machine.hasCommand()) command = index;
    }
    if (first === undefined) {
      this.schedule(soonest - now);
      return;
    }
    // Ahead of its turn only while the run lasts; a command in its own turn ends the run.
    const ahead = command !== undefined && command !== first && this.commandRun < MAX_COMMAND_RUN;
    this.commandRun = ahead ? this.commandRun + 1 : 0;
    // A command sent ahead leaves the round robin where it was: the PDs it passed are next.
    if (!ahead) this.last = first;
    this.transmit(this.machines[ahead ? (command as number) : first] as PdMachine, now);
  }

  private transmit(machine: PdMachine, now: number): void {
    const bytes = machine.takePacket(now);
    const token = ++this.token;
    this.outstanding = { machine, token };
    // The reply timeout runs from the end of sending (at 9600 baud a long packet takes tens of ms).
    const arm = (ms: number) => {
      if (this.outstanding?.token !== token) return;
      if (this.replyTimer !== undefined) this.options.scheduler.clearTimeout(this.replyTimer);
      this.replyTimer = this.options.scheduler.setTimeout(() => this.onReplyTimeout(token), ms);
    };
    // Until the write settles: a write that never does (a serial port that vanished mid-write) must
    // still end in a timeout, or the bus would wait on it forever and its PDs never go offline.
    arm(this.timings.replyTimeoutMs + WRITE_GUARD_MS);
    this.options.link.write(bytes).then(
      () => arm(this.timings.replyTimeoutMs),
      (err: unknown) => {
        // A link that is down loses the packet like a noisy line: the PD times out and, after 8 s, is offline.
        this.log.debug({ port: this.options.port, address: machine.address, err }, "OSDP write failed");
        arm(this.timings.replyTimeoutMs);
      },
    );
  }

  private onBytes(events: FrameEvent[]): void {
    for (const event of events) {
      if (event.kind === "error") {
        this.log.debug({ port: this.options.port, error: event.error }, "OSDP bytes dropped");
        continue;
      }
      const packet = event.packet;
      // Commands on the line are our own echo (many RS-485 adapters hear themselves).
      if (!packet.reply) continue;
      const outstanding = this.outstanding;
      const now = this.options.now();
      if (outstanding === null || packet.address !== outstanding.machine.address) {
        this.strayReplies++;
        continue;
      }
      outstanding.machine.counters.bytes += event.bytes.length;
      // The reply's events (a card, keys, a status) go out once the exchange is over: a listener
      // that sends (a door's OUT after a grant) then finds the bus free and is on the line at once.
      const held: PdEvent[] = [];
      this.held = held;
      try {
        if (outstanding.machine.onReply(packet, now)) this.settle();
      } finally {
        this.held = null;
        for (const e of held) this.relay(e);
      }
    }
  }

  private onReplyTimeout(token: number): void {
    this.replyTimer = undefined;
    if (this.outstanding?.token !== token) return;
    // A half packet is given up; a good reply behind a corrupt length field still comes out.
    this.onBytes(this.reader.flush());
    const outstanding = this.outstanding;
    if (outstanding?.token !== token) return;
    outstanding.machine.onTimeout(this.options.now());
    this.settle();
  }

  private settle(): void {
    if (this.replyTimer !== undefined) this.options.scheduler.clearTimeout(this.replyTimer);
    this.replyTimer = undefined;
    this.outstanding = null;
    this.schedule(0);
  }

  private schedule(delay: number): void {
    if (!this.running) return;
    if (this.wake !== undefined) cancel(this.options.scheduler, this.wake);
    this.wake = soon(this.options.scheduler, () => this.pump(), delay);
  }

  private clearTimers(): void {
    if (this.wake !== undefined) cancel(this.options.scheduler, this.wake);
    if (this.replyTimer !== undefined) this.options.scheduler.clearTimeout(this.replyTimer);
    this.wake = this.replyTimer = undefined;
  }

  /** Reports a PD's event; a listener that throws is logged, never allowed to stop the bus. */
  private relay(event: PdEvent): void {
    if (this.held !== null) {
      this.held.push(event);
      return;
    }
    try {
      this.report(event);
    } catch (err) {
      this.log.error(
        { port: this.options.port, address: event.address, event: event.kind, err },
        "OSDP listener failed",
      );
    }
  }

  private report(event: PdEvent): void {
    const port = this.options.port;
    switch (event.kind) {
      case "card": {
        const { kind: _, ...card } = event;
        // The bits are a card number: never logged, only their count.
        this.log.debug({ port, address: card.address, bitCount: card.bitCount }, "OSDP card read");
        this.listeners.emit("card", card);
        return;
      }
      case "keypad": {
        const { kind: _, ...keys } = event;
        // Keys may be a PIN: only how many.
        this.log.debug({ port, address: keys.address, keys: keys.digits.length }, "OSDP keys typed");
        this.listeners.emit("keypad", keys);
        return;
      }
      case "status": {
        const { kind: _, ...status } = event;
        this.log.info({ port, ...status }, status.online ? "OSDP PD status" : "OSDP PD offline");
        this.listeners.emit("status", status);
        return;
      }
      case "rejected": {
        const { kind: _, ...rejected } = event;
        this.log.warn({ port, ...rejected }, "OSDP PD message refused");
        this.listeners.emit("rejected", rejected);
        return;
      }
      case "capabilities": {
        const { kind: _, ...caps } = event;
        this.log.info(
          { port, address: caps.address, display: caps.capabilities.display },
          "OSDP PD identified",
        );
        this.listeners.emit("capabilities", caps);
        return;
      }
      case "moved":
        this.log.warn(
          { port, address: event.address, newAddress: event.to.address, baudRate: event.to.baudRate },
          "OSDP PD offline after taking new settings (COMSET): the gateway polls the address and speed of its configuration; change them there to the new ones, or set the PD back",
        );
        return;
    }
  }
}

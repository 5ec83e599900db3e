/**
 * The gateway's OSDP ports: one OsdpPort per RS-485 port, shared by every `osdp` reader on it
 * (multi-drop) and by the `osdp-output` relays that drive those readers' outputs. A port opens with
 * its first reader, closes with its last, and is rebuilt when its set of PDs changes (a reload that
 * adds, removes or re-keys a reader), since a bus polls a fixed set of PDs. Card bits out,
 * commands in: nothing here knows about members.
 */
import type { Logger } from "pino";
import type { Scheduler } from "../../runtime/scheduler.js";
import type { BackoffOptions } from "../transport/backoff.js";
import { Listeners } from "../transport/listeners.js";
import type { TransportFactory } from "../transport/transport.js";
import {
  type CardEvent,
  type CommandResult,
  type CpTimings,
  type KeypadEvent,
  OsdpCommandError,
  type PdCapabilities,
  type PdCommand,
  type PdStatus,
  type RejectedEvent,
} from "./cpTypes.js";
import type { BusPd } from "./osdpBus.js";
import { OsdpPort } from "./osdpPort.js";
import type { RandomSource } from "./secureHandshake.js";

/** What the registry is handed: what every port it opens needs. */
export interface OsdpPortsDeps {
  factory: TransportFactory;
  scheduler: Scheduler;
  now: () => number;
  random: RandomSource;
  logger: Logger;
  backoff?: BackoffOptions;
  timings?: Partial<CpTimings>;
}

/** What one PD reports, as the registry passes it on to whoever uses that PD. */
export interface PdEvents {
  card: (event: CardEvent) => void;
  keypad: (event: KeypadEvent) => void;
  status: (status: PdStatus) => void;
  rejected: (event: RejectedEvent) => void;
  capabilities: (capabilities: PdCapabilities) => void;
}

/** A PD on a port, as a reader declares it. */
export interface PdSeat {
  port: string;
  baudRate: number;
  pd: BusPd;
}

interface PortEntry {
  baudRate: number;
  /** The PDs of the readers that are started, by address. */
  seats: Map<number, BusPd>;
  running: OsdpPort | undefined;
  /** The PDs `running` polls, as a key to tell whether it must be rebuilt. */
  runningKey: string;
  /** Port changes one after another: a rebuild waits for the old port to close. */
  chain: Promise<void>;
}

/** One PD's listeners: the key is `port` and address. */
const pdKey = (port: string, address: number) => `${port}\n${address}`;

/** Host names and the scheme are case-insensitive; device paths are not. */
const portKey = (port: string) => (/^tcp:/i.test(port) ? port.toLowerCase() : port);

/** The OSDP ports of one gateway; the constructor only assigns. */
export class OsdpPorts {
  private readonly deps: OsdpPortsDeps;
  private readonly ports = new Map<string, PortEntry>();
  private readonly pds = new Map<string, Listeners<PdEvents>>();
  private readonly capabilities = new Map<string, PdCapabilities>();
  /** Bytes each seated PD sent on the buses its port ran before the running one (a rebuild starts at 0). */
  private readonly carriedBytes = new Map<string, number>();

  constructor(deps: OsdpPortsDeps) {
    this.deps = deps;
  }

  /** Subscribes to one PD's events (whether or not its port runs); returns a function that unsubscribes. */
  on<K extends keyof PdEvents>(port: string, address: number, event: K, listener: PdEvents[K]): () => void {
    const key = pdKey(portKey(port), address);
    let listeners = this.pds.get(key);
    if (listeners === undefined) {
      listeners = new Listeners<PdEvents>();
      this.pds.set(key, listeners);
    }
    return listeners.on(event, listener);
  }

  /** Puts a PD on its port's bus: the port opens (or is rebuilt with it) once the current tick ends. */
  join(seat: PdSeat): void {
    const key = portKey(seat.port);
    let entry = this.ports.get(key);
    if (entry === undefined) {
      entry = {
        baudRate: seat.baudRate,
        seats: new Map(),
        running: undefined,
        runningKey: "",
        chain: Promise.resolve(),
      };
      this.ports.set(key, entry);
    }
    entry.baudRate = seat.baudRate;
    entry.seats.set(seat.pd.address, seat.pd);
    this.apply(seat.port, entry);
  }

  /** Takes a PD off its port's bus; resolves once the port is rebuilt without it, or closed if it was the last. */
  leave(port: string, address: number): Promise<void> {
    const entry = this.ports.get(portKey(port));
    if (entry === undefined || !entry.seats.delete(address)) return Promise.resolve();
    this.capabilities.delete(pdKey(portKey(port), address));
    this.carriedBytes.delete(pdKey(portKey(port), address));
    return this.apply(port, entry);
  }

  /** Queues a command for a PD; rejects with OSDP_OFFLINE when its port is not running. */
  send(port: string, address: number, command: PdCommand): Promise<CommandResult> {
    const bus = this.ports.get(portKey(port))?.running?.bus;
    if (bus === undefined || !bus.status().some((s) => s.address === address))
      return Promise.reject(
        new OsdpCommandError(
          "OSDP_OFFLINE",
          address,
          `no OSDP bus runs this PD on ${port} (its reader is not started)`,
        ),
      );
    return bus.send(address, command);
  }

  /** A PD's state, when its port runs. */
  status(port: string, address: number): PdStatus | undefined {
    return this.ports
      .get(portKey(port))
      ?.running?.bus.status()
      .find((s) => s.address === address);
  }

  /** The bytes a PD has sent since its reader joined, across rebuilds of its port's bus. */
  bytesFrom(port: string, address: number): number {
    const key = pdKey(portKey(port), address);
    const running = this.ports.get(portKey(port))?.running?.bus.bytesFrom(address) ?? 0;
    return (this.carriedBytes.get(key) ?? 0) + running;
  }

  /** What a PD said it can do (ID and CAP), once it has. */
  capabilitiesOf(port: string, address: number): PdCapabilities | undefined {
    return this.capabilities.get(pdKey(portKey(port), address));
  }

  /** Closes every port (the daemon stops; the readers have left already in a normal stop). */
  async stop(): Promise<void> {
    await Promise.allSettled(
      [...this.ports.entries()].map(([port, entry]) => {
        entry.seats.clear();
        return this.apply(port, entry);
      }),
    );
  }

  /** Makes the running port match its seats, after any change already under way. */
  private apply(port: string, entry: PortEntry): Promise<void> {
    entry.chain = entry.chain.then(() => this.rebuild(port, entry));
    return entry.chain;
  }

  private async rebuild(port: string, entry: PortEntry): Promise<void> {
    const pds = [...entry.seats.values()].sort((a, b) => a.address - b.address);
    const key = JSON.stringify(
      pds.map((p) => [p.address, p.secureChannel, p.scbk && Buffer.from(p.scbk).toString("hex")]),
    );
    if (key === entry.runningKey && (entry.running !== undefined) === pds.length > 0) return;
    const old = entry.running;
    entry.running = undefined;
    entry.runningKey = "";
    // The PDs that stay on the port keep their byte counts; a PD that left starts again if it rejoins.
    for (const [address, counters] of Object.entries(old?.bus.counters().pds ?? {})) {
      if (!entry.seats.has(Number(address))) continue;
      const key = pdKey(portKey(port), Number(address));
      this.carriedBytes.set(key, (this.carriedBytes.get(key) ?? 0) + counters.bytes);
    }
    if (old !== undefined)
      await old
        .stop()
        .catch((err: unknown) => this.deps.logger.warn({ port, err }, "OSDP port did not close cleanly"));
    if (pds.length === 0) {
      this.ports.delete(portKey(port));
      return;
    }
    const next = new OsdpPort({ ...this.deps, target: port, baudRate: entry.baudRate, pds });
    this.forward(port, next);
    entry.running = next;
    entry.runningKey = key;
    next.start();
  }

  /** Passes the bus's events on to each PD's listeners. */
  private forward(port: string, osdp: OsdpPort): void {
    const of = (address: number) => this.pds.get(pdKey(portKey(port), address));
    osdp.bus.on("card", (e) => of(e.address)?.emit("card", e));
    osdp.bus.on("keypad", (e) => of(e.address)?.emit("keypad", e));
    osdp.bus.on("status", (e) => of(e.address)?.emit("status", e));
    osdp.bus.on("rejected", (e) => of(e.address)?.emit("rejected", e));
    osdp.bus.on("capabilities", (e) => {
      this.capabilities.set(pdKey(portKey(port), e.address), e.capabilities);
      of(e.address)?.emit("capabilities", e.capabilities);
    });
  }
}

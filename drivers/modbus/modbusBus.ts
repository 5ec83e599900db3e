/**
 * One Modbus RTU bus (a serial port or tcp:// serial server) shared by every device on it: a relay
 * board and the input modules polled on the same RS-485 pair. One link and one request queue per
 * port: RTU has no request ids, so a reply can only be matched to the one request in flight, and
 * requests from the relay and the inputs take turns in the order they were asked (FIFO), so a
 * pulse waits behind at most one poll per input and polls never wait behind more than a pulse.
 */
import type { Logger } from "pino";
import type { Scheduler } from "../../runtime/scheduler.js";
import { KeyedQueue } from "../relays/keyedQueue.js";
import type { BackoffOptions } from "../transport/backoff.js";
import { type Health, type ReconnectingEvents, ReconnectingTransport } from "../transport/reconnecting.js";
import type { TransportFactory } from "../transport/transport.js";
import {
  type ExchangeEvent,
  type ExchangeOutcome,
  type ExchangeState,
  startExchange,
  stepExchange,
} from "./modbusExchange.js";

/** How long to wait for a device's reply when none is configured. */
export const defaultReplyTimeoutMs = 500;

/** What a ModbusBus is handed. */
export interface ModbusBusOptions {
  port: string;
  baudRate?: number;
  transportFactory: TransportFactory;
  scheduler: Scheduler;
  logger: Logger;
  backoff?: BackoffOptions;
  replyTimeoutMs?: number;
}

/** The link one device on the bus sees: start() joins the bus, stop() leaves it (the last one closes it). */
export interface BusLink {
  start(): void;
  stop(): Promise<void>;
  health(): Health;
  on<K extends keyof ReconnectingEvents>(event: K, listener: ReconnectingEvents[K]): () => void;
  write(bytes: Uint8Array): Promise<void>;
}

interface InFlight {
  state: ExchangeState;
  timer: unknown;
  resolve: (outcome: ExchangeOutcome) => void;
  reject: (err: unknown) => void;
}

/** A Modbus RTU bus; the constructor only assigns, the first device to join opens the link. */
export class ModbusBus {
  readonly port: string;
  private readonly transport: ReconnectingTransport;
  private readonly scheduler: Scheduler;
  private readonly replyTimeoutMs: number;
  private readonly queue = new KeyedQueue<"bus">();
  private current: InFlight | undefined;
  private members = 0;
  private stopping: Promise<void> | undefined;

  constructor(options: ModbusBusOptions) {
    this.port = options.port;
    this.scheduler = options.scheduler;
    this.replyTimeoutMs = options.replyTimeoutMs ?? defaultReplyTimeoutMs;
    this.transport = new ReconnectingTransport({
      target: options.port,
      factory: options.transportFactory,
      transportOptions: options.baudRate === undefined ? {} : { baudRate: options.baudRate },
      scheduler: options.scheduler,
      logger: options.logger,
      ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
    });
    this.transport.on("data", (bytes) => {
      // Bytes while nothing is in flight are late or foreign replies: drop them.
      if (this.current !== undefined) this.feed(this.current, { type: "bytes", bytes });
    });
  }

  /** The reply timeout, for error messages. */
  get timeoutMs(): number {
    return this.replyTimeoutMs;
  }

  /** A device's view of the bus. */
  link(): BusLink {
    let joined = false;
    return {
      start: () => {
        if (joined) return;
        joined = true;
        this.members += 1;
        if (this.members === 1) this.transport.start();
      },
      stop: async () => {
        if (!joined) return;
        joined = false;
        this.members -= 1;
        if (this.members > 0) return;
        await this.queue.idle();
        this.stopping ??= this.transport.stop();
        await this.stopping;
      },
      health: () => this.transport.health(),
      on: (event, listener) => this.transport.on(event, listener),
      write: (bytes) => this.transport.write(bytes),
    };
  }

  /** The bus's link health. */
  health(): Health {
    return this.transport.health();
  }

  /** Requests queued or in flight. */
  pending(): number {
    return this.queue.pending();
  }

  /**
   * Queues `frame`; resolves with how the exchange ended (a reply, an exception or a timeout),
   * rejects only when the frame could not be written (the link is down).
   */
  request(frame: Uint8Array): Promise<ExchangeOutcome> {
    return this.queue.run("bus", () => this.exchange(frame));
  }

  private exchange(frame: Uint8Array): Promise<ExchangeOutcome> {
    return new Promise<ExchangeOutcome>((resolve, reject) => {
      const flight: InFlight = { state: startExchange(frame), timer: undefined, resolve, reject };
      this.current = flight;
      flight.timer = this.scheduler.setTimeout(
        () => this.feed(flight, { type: "timeout" }),
        this.replyTimeoutMs,
      );
      this.transport.write(frame).catch((err: unknown) => this.finish(flight, () => reject(err)));
    });
  }

  private feed(flight: InFlight, event: ExchangeEvent): void {
    if (this.current !== flight) return;
    flight.state = stepExchange(flight.state, event);
    const state = flight.state;
    if (state.phase === "done") this.finish(flight, () => flight.resolve(state.outcome));
  }

  private finish(flight: InFlight, settle: () => void): void {
    if (this.current !== flight) return;
    this.current = undefined;
    this.scheduler.clearTimeout(flight.timer);
    settle();
  }
}

/** What ModbusBuses hands every bus it makes. */
export type ModbusBusDeps = Omit<ModbusBusOptions, "port" | "baudRate">;

/** The buses of a gateway, one per port (the same key the configuration checks use). */
export class ModbusBuses {
  private readonly deps: ModbusBusDeps;
  private readonly buses = new Map<string, ModbusBus>();

  constructor(deps: ModbusBusDeps) {
    this.deps = deps;
  }

  /** The bus on `port`, made on first use; every device on one port gets the same bus. */
  bus(port: string, baudRate?: number, logger?: Logger): ModbusBus {
    // Host names and the scheme are case-insensitive; device paths are not.
    const key = /^tcp:/i.test(port) ? port.toLowerCase() : port;
    let bus = this.buses.get(key);
    if (bus === undefined) {
      bus = new ModbusBus({
        ...this.deps,
        ...(logger === undefined ? {} : { logger }),
        port,
        ...(baudRate === undefined ? {} : { baudRate }),
      });
      this.buses.set(key, bus);
    }
    return bus;
  }
}

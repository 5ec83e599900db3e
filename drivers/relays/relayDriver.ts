/**
 * What every relay driver offers the gateway, and the shared serial machinery: one reconnecting
 * transport, a per-channel pulse queue, health and counters. Subclasses only say how to switch a
 * channel on or off.
 *
 * Pulses on one channel never overlap: a pulse asked for while another runs on that channel is
 * queued behind it (not merged or extended), so every caller gets its own full on…off.
 */

import type { Logger } from "pino";
import type { Scheduler } from "../../runtime/scheduler.js";
import type { BackoffOptions } from "../transport/backoff.js";
import { TransportError } from "../transport/errors.js";
import { Listeners } from "../transport/listeners.js";
import { type Health, type HealthState, ReconnectingTransport } from "../transport/reconnecting.js";
import type { TransportFactory } from "../transport/transport.js";
import { RelayError } from "./errors.js";
import { KeyedQueue } from "./keyedQueue.js";

/** A channel's wanted state while no pulse runs on it. */
export interface RestingChannel {
  channel: number;
  on: boolean;
}

/**
 * The channels to put into their resting state, asked on every (re)open of the link to the board:
 * a relay left ON by a crash would otherwise hold its door open until the next grant on it. The
 * caller decides (the daemon from its doors: OFF in normal mode); channels it leaves out are not
 * switched.
 */
export type RestingStates = () => readonly RestingChannel[];

/** A relay's health: the state of its link to the board and why it is not open. */
export interface RelayHealth {
  relayId: string;
  state: HealthState;
  /** When this state began (ms). */
  since: number;
  lastError: Error | undefined;
}

/** What a relay driver reports. */
export interface RelayEvents {
  state: (health: RelayHealth) => void;
}

/** Running totals since start, for metrics and the status page. */
export interface RelayCounters {
  /** Pulses accepted (queued or run). */
  pulses: number;
  completed: number;
  failed: number;
  /** Pulses queued or running right now. */
  inFlight: number;
  /** Failures because the device did not answer in time (reply-based drivers). */
  timeouts: number;
  /** Failures because the device answered with an exception (reply-based drivers). */
  exceptions: number;
}

/** A relay board: pulse a channel on for some milliseconds, then off again. */
export interface RelayDriver {
  readonly id: string;
  /** Starts connecting to the board; later calls do nothing. */
  start(): void;
  /** Rejects queued pulses, lets a running pulse finish (so no relay stays on), then closes. */
  stop(): Promise<void>;
  /** Switches `channel` on, waits `ms`, switches it off; rejects with a RelayError RELAY_FAILED. */
  pulse(channel: number, ms: number): Promise<void>;
  /**
   * Switches `channel` on or off and leaves it so (doors.md D3: a door held released or locked),
   * behind any pulse queued on it; rejects at once with RELAY_FAILED while the board is unreachable.
   */
  hold(channel: number, on: boolean): Promise<void>;
  /** The current health (a copy). */
  health(): RelayHealth;
  /** Subscribes to "state"; returns a function that unsubscribes. */
  on<K extends keyof RelayEvents>(event: K, listener: RelayEvents[K]): () => void;
  /** The running totals (a copy). */
  counters(): RelayCounters;
}

/** The line a serial relay drives: its own reconnecting transport, or its share of a bus. */
export type SerialLink = Pick<ReconnectingTransport, "start" | "stop" | "health" | "on" | "write">;

/** What every serial relay driver is handed: its port (it opens the line) or a link it shares. */
export type SerialRelayOptions = {
  id: string;
  scheduler: Scheduler;
  logger: Logger;
  /** Set on every (re)open of the port. */
  restingStates: RestingStates;
} & (
  | {
      /** Device path (or `tcp://host:port` for a serial server). */
      port: string;
      baudRate?: number;
      transportFactory: TransportFactory;
      backoff?: BackoffOptions;
    }
  | {
      /** A line shared with other devices (a Modbus bus). */
      link: SerialLink;
    }
);

/** The shared part of the serial drivers; the constructor only assigns, `start()` connects. */
export abstract class SerialRelay implements RelayDriver {
  readonly id: string;
  protected readonly scheduler: Scheduler;
  protected readonly log: Logger;
  protected readonly transport: SerialLink;
  private readonly restingStates: RestingStates;
  private readonly listeners = new Listeners<RelayEvents>();
  private readonly channels = new KeyedQueue<number>();
  private readonly totals = { pulses: 0, completed: 0, failed: 0, timeouts: 0, exceptions: 0 };
  private started = false;
  private stopping = false;
  private unsubscribe: (() => void)[] = [];

  constructor(options: SerialRelayOptions) {
    this.id = options.id;
    this.scheduler = options.scheduler;
    this.log = options.logger;
    this.restingStates = options.restingStates;
    this.transport =
      "link" in options
        ? options.link
        : new ReconnectingTransport({
            target: options.port,
            factory: options.transportFactory,
            transportOptions: options.baudRate === undefined ? {} : { baudRate: options.baudRate },
            scheduler: options.scheduler,
            logger: options.logger,
            ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
          });
  }

  /** Throws a RangeError when `channel` does not exist on this kind of board. */
  protected abstract checkChannel(channel: number): void;

  /** Switches one channel; resolves once the board has it (written, or confirmed if it replies). */
  protected abstract switchChannel(channel: number, on: boolean): Promise<void>;

  /** Bytes from the board; boards that never answer ignore them. */
  protected received(_bytes: Uint8Array): void {}

  start(): void {
    if (this.started || this.stopping) return;
    this.started = true;
    this.unsubscribe = [
      this.transport.on("data", (bytes) => this.received(bytes)),
      this.transport.on("health", (h) => {
        if (h.state === "open") this.rest();
        this.listeners.emit("state", this.health());
      }),
    ];
    this.transport.start();
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.channels.idle();
    // A shared line stays open for the others: stop listening to it first.
    for (const off of this.unsubscribe.splice(0)) off();
    await this.transport.stop();
  }

  health(): RelayHealth {
    const h: Health = this.transport.health();
    return { relayId: this.id, state: h.state, since: h.since, lastError: h.lastError };
  }

  on<K extends keyof RelayEvents>(event: K, listener: RelayEvents[K]): () => void {
    return this.listeners.on(event, listener);
  }

  counters(): RelayCounters {
    return { ...this.totals, inFlight: this.channels.pending() };
  }

  pulse(channel: number, ms: number): Promise<void> {
    const fail = (failure: RelayError["failure"], message: string, cause?: unknown) =>
      Promise.reject(
        new RelayError("RELAY_FAILED", { relayId: this.id, channel, failure }, message, { cause }),
      );
    if (this.stopping || !this.started) return fail("stopped", "the relay driver is not running");
    try {
      this.checkChannel(channel);
    } catch (err) {
      return fail("bad_channel", (err as Error).message, err);
    }
    if (!Number.isInteger(ms) || ms <= 0) return fail("bad_channel", `expected pulse ms > 0, found ${ms}`);
    const health = this.transport.health();
    // Fail fast while the board is unreachable: a queued door pulse that fires minutes later
    // (when the link comes back) would open a door for nobody.
    if (health.state !== "open") {
      return fail("transport_down", `the link to the board is ${health.state}`, health.lastError);
    }
    this.totals.pulses += 1;
    return this.channels
      .run(channel, () => this.runPulse(channel, ms))
      .then(
        () => {
          this.totals.completed += 1;
        },
        (err: unknown) => {
          const error = this.wrap(err, channel);
          this.totals.failed += 1;
          if (error.failure === "timeout") this.totals.timeouts += 1;
          if (error.failure === "exception") this.totals.exceptions += 1;
          throw error;
        },
      );
  }

  hold(channel: number, on: boolean): Promise<void> {
    const fail = (failure: RelayError["failure"], message: string, cause?: unknown) =>
      Promise.reject(
        new RelayError("RELAY_FAILED", { relayId: this.id, channel, failure }, message, { cause }),
      );
    if (this.stopping || !this.started) return fail("stopped", "the relay driver is not running");
    try {
      this.checkChannel(channel);
    } catch (err) {
      return fail("bad_channel", (err as Error).message, err);
    }
    const health = this.transport.health();
    // D8: the state is re-asserted from restingStates when the link comes back.
    if (health.state !== "open") return fail("transport_down", `the link to the board is ${health.state}`);
    return this.channels
      .run(channel, () => this.switchChannel(channel, on), { counted: false })
      .catch((err: unknown) => {
        throw this.wrap(err, channel);
      });
  }

  /** Puts every resting channel into its state, each behind any pulse queued on it. */
  private rest(): void {
    for (const { channel, on } of this.restingStates()) {
      // Not a pulse: left out of `inFlight`.
      void this.channels
        .run(channel, () => this.switchChannel(channel, on), { counted: false })
        .then(
          () => this.log.debug({ channel, on }, "channel set to its resting state"),
          (err: unknown) =>
            this.log.warn({ channel, on, err }, "could not set the channel to its resting state"),
        );
    }
  }

  private async runPulse(channel: number, ms: number): Promise<void> {
    if (this.stopping) {
      throw new RelayError("RELAY_FAILED", { relayId: this.id, channel, failure: "stopped" }, "stopped");
    }
    await this.switchChannel(channel, true);
    await new Promise<void>((resolve) => this.scheduler.setTimeout(resolve, ms));
    await this.switchChannel(channel, false);
  }

  /** Turns whatever a switch threw into a RelayError naming this relay and the channel. */
  private wrap(err: unknown, channel: number): RelayError {
    if (err instanceof RelayError) return err;
    const where = { relayId: this.id, channel };
    if (err instanceof TransportError && err.code === "TRANSPORT_NOT_OPEN") {
      return new RelayError("RELAY_FAILED", { ...where, failure: "transport_down" }, err.message, {
        cause: err,
      });
    }
    const message = err instanceof Error ? err.message : String(err);
    return new RelayError("RELAY_FAILED", { ...where, failure: "write_failed" }, `write failed: ${message}`, {
      cause: err,
    });
  }
}

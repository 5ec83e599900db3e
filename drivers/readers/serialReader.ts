/**
 * The shared half of the serial reader drivers: keeps the port open through a
 * ReconnectingTransport, turns decoded reads into `card`/`rejected` events, reports the
 * transport's health as `state`, and counts. Subclasses only decode bytes.
 */

import type { Logger } from "pino";
import type { CardNumberMode } from "../../config/deviceLimits.js";
import type { Scheduler } from "../../runtime/scheduler.js";
import type { RawRead } from "../codecs/cardNumber.js";
import { toCardNumber } from "../codecs/cardNumber.js";
import type { BackoffOptions } from "../transport/backoff.js";
import { Listeners } from "../transport/listeners.js";
import { type Health, ReconnectingTransport } from "../transport/reconnecting.js";
import type { TransportFactory } from "../transport/transport.js";
import type { ReaderCounters, ReaderDriver, ReaderEvents, ReaderRejectCode } from "./readerDriver.js";
import { RejectLog } from "./rejectLog.js";

/** One decoded read, or why the bytes were dropped. */
export type DecodedRead =
  | { ok: true; read: RawRead }
  | { ok: false; error: ReaderRejectCode; detail: string };

/** The config slice a serial reader needs. */
export interface SerialReaderConfig {
  id: string;
  port: string;
  baudRate: number;
  cardNumber: CardNumberMode;
}

/** What a serial reader is handed besides its config. */
export interface SerialReaderDeps {
  transportFactory: TransportFactory;
  /** Stamps `card` events and health states (ms). */
  clock: () => number;
  /** Timers for reconnect backoff. */
  scheduler: Scheduler;
  logger: Logger;
  backoff?: BackoffOptions;
  random?: () => number;
}

/** Base class of the serial readers; the constructor only assigns, start() connects. */
export abstract class SerialReader implements ReaderDriver {
  readonly id: string;
  protected readonly config: SerialReaderConfig;
  protected readonly deps: SerialReaderDeps;
  private readonly listeners = new Listeners<ReaderEvents>();
  private transport: ReconnectingTransport | undefined;
  private running = false;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private everOpen = false;
  private readonly totals: ReaderCounters = { cards: 0, rejected: {}, bytes: 0, reconnects: 0 };
  private readonly rejects: RejectLog;

  constructor(config: SerialReaderConfig, deps: SerialReaderDeps) {
    this.id = config.id;
    this.config = config;
    this.deps = deps;
    this.rejects = new RejectLog(deps.logger, deps.clock, "serial");
  }

  /** Turns a chunk of bytes into reads, in stream order. Must never throw. */
  protected abstract decode(chunk: Uint8Array): DecodedRead[];

  /** Forgets any partial frame or line (called when the port (re)opens). */
  protected abstract resetDecoder(): void;

  /** Subscribes to "card", "rejected" or "state"; returns a function that unsubscribes. */
  on<K extends keyof ReaderEvents>(event: K, listener: ReaderEvents[K]): () => void {
    return this.listeners.on(event, listener);
  }

  /** A snapshot of the counters. */
  counters(): ReaderCounters {
    return { ...this.totals, rejected: { ...this.totals.rejected } };
  }

  /** Starts connecting; later calls (and calls after stop()) do nothing. */
  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    const transport = new ReconnectingTransport({
      target: this.config.port,
      factory: this.deps.transportFactory,
      transportOptions: { baudRate: this.config.baudRate },
      scheduler: this.deps.scheduler,
      logger: this.deps.logger,
      now: this.deps.clock,
      ...(this.deps.backoff === undefined ? {} : { backoff: this.deps.backoff }),
      ...(this.deps.random === undefined ? {} : { random: this.deps.random }),
    });
    this.transport = transport;
    transport.on("data", (bytes) => this.onData(bytes));
    transport.on("health", (health) => this.onHealth(health));
    transport.start();
  }

  /**
   * Writes bytes to the reader when its port is open, fire-and-forget: a closed or failing port
   * loses the bytes (logged at debug) and never throws.
   */
  protected write(bytes: Uint8Array, what: string): void {
    const transport = this.transport;
    if (transport === undefined || this.stopped || transport.health().state !== "open") {
      this.deps.logger.debug({ what }, "reader port not open: nothing written");
      return;
    }
    transport
      .write(bytes)
      .catch((err: unknown) => this.deps.logger.debug({ err, what }, "write to reader failed"));
  }

  /** Closes the transport; no `card` or `rejected` events follow, and none at all once it resolves. */
  stop(): Promise<void> {
    // A second call (e.g. from a listener, then from shutdown) waits for the same close.
    this.stopping ??= this.close();
    return this.stopping;
  }

  private async close(): Promise<void> {
    this.stopped = true;
    const transport = this.transport;
    this.transport = undefined;
    if (transport !== undefined) await transport.stop();
    this.running = false;
  }

  private onData(bytes: Uint8Array): void {
    if (this.stopped) return;
    this.totals.bytes += bytes.length;
    for (const decoded of this.decode(bytes)) {
      if (this.stopped) return;
      if (!decoded.ok) {
        this.reject(decoded.error, decoded.detail);
        continue;
      }
      const converted = toCardNumber(decoded.read, this.config.cardNumber);
      if (!converted.ok) {
        this.reject(converted.error, converted.detail);
        continue;
      }
      this.totals.cards++;
      // Card numbers only at debug: never in clear text at info level.
      this.deps.logger.debug({ card: converted.card }, "card read");
      this.listeners.emit("card", { readerId: this.id, card: converted.card, at: this.deps.clock() });
    }
  }

  private reject(error: ReaderRejectCode, detail: string): void {
    this.totals.rejected[error] = (this.totals.rejected[error] ?? 0) + 1;
    this.rejects.report(error, detail);
    this.listeners.emit("rejected", { readerId: this.id, error, detail });
  }

  private onHealth(health: Health): void {
    if (health.state === "open") {
      this.resetDecoder();
      if (this.everOpen) this.totals.reconnects++;
      this.everOpen = true;
    }
    // The transport logs its own changes.
    const reason = health.lastError?.message;
    this.listeners.emit("state", {
      readerId: this.id,
      state: health.state,
      since: health.since,
      reason,
      attempts: health.attempts,
      ...(health.retryInMs === undefined ? {} : { retryInMs: health.retryInMs }),
    });
  }
}

/**
 * Keeps a transport open: reopens after "disconnected" forever, waiting a jittered exponential
 * backoff between attempts, and reports (and logs) a health state that says what it is doing and why.
 */

import type { Logger } from "pino";
import { realScheduler, type Scheduler } from "../../runtime/scheduler.js";
import { type BackoffOptions, backoffDelay, defaultBackoff } from "./backoff.js";
import { TransportError, toError } from "./errors.js";
import { Listeners } from "./listeners.js";
import type { Transport, TransportFactory, TransportOptions } from "./transport.js";

/** What the connection is doing: opening, open, waiting before the next attempt, or stopped. */
export type HealthState = "connecting" | "open" | "waiting" | "stopped";

/** The connection's health; `lastError` says why it is not open. */
export interface Health {
  state: HealthState;
  /** When this state began (ms, from `now`). */
  since: number;
  /** The last open failure or disconnect; cleared once open. */
  lastError: Error | undefined;
  /** Open attempts since it was last open (0 while open). */
  attempts: number;
  /** When waiting: the delay before the next attempt, in ms. */
  retryInMs?: number;
}

/** What a ReconnectingTransport reports. */
export interface ReconnectingEvents {
  data: (bytes: Uint8Array) => void;
  health: (health: Health) => void;
}

/** What a ReconnectingTransport is handed. */
export interface ReconnectingOptions {
  target: string;
  factory: TransportFactory;
  transportOptions?: TransportOptions;
  /** Where the link's changes are logged: open at info, down at warn (with the reason), the rest at debug. */
  logger: Logger;
  backoff?: BackoffOptions;
  scheduler?: Scheduler;
  random?: () => number;
  now?: () => number;
}

/** A transport that reopens itself; the constructor only assigns, `start()` connects. */
export class ReconnectingTransport {
  readonly target: string;
  private readonly factory: TransportFactory;
  private readonly transportOptions: TransportOptions;
  private readonly backoff: BackoffOptions;
  private readonly scheduler: Scheduler;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly listeners = new Listeners<ReconnectingEvents>();
  private current: Transport | undefined;
  private pending: Promise<void> | undefined;
  private timer: unknown;
  /** Consecutive failures (disconnect or failed open) since last open; picks the backoff step. */
  private failures = 0;
  private started = false;
  private stopped = false;
  private state: Health;

  constructor(options: ReconnectingOptions) {
    this.target = options.target;
    this.factory = options.factory;
    this.transportOptions = options.transportOptions ?? {};
    this.backoff = options.backoff ?? defaultBackoff;
    this.scheduler = options.scheduler ?? realScheduler;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.log = options.logger;
    this.state = { state: "connecting", since: this.now(), lastError: undefined, attempts: 0 };
  }

  /** The current health (a copy). */
  health(): Health {
    return { ...this.state };
  }

  /** Subscribes to "data" or "health"; returns a function that unsubscribes. */
  on<K extends keyof ReconnectingEvents>(event: K, listener: ReconnectingEvents[K]): () => void {
    return this.listeners.on(event, listener);
  }

  /** Starts connecting; later calls do nothing. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.attempt();
  }

  /** Writes to the open transport; rejects with TRANSPORT_NOT_OPEN while it is not open. */
  write(bytes: Uint8Array): Promise<void> {
    const transport = this.current;
    if (transport === undefined || !transport.isOpen) {
      return Promise.reject(
        new TransportError("TRANSPORT_NOT_OPEN", this.target, `not open (${this.state.state})`),
      );
    }
    return transport.write(bytes);
  }

  /** Cancels any pending retry, waits for an open in progress, and closes the transport. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
    await this.pending;
    const transport = this.current;
    this.current = undefined;
    if (transport !== undefined) await transport.close();
    this.setHealth({ state: "stopped", lastError: this.state.lastError, attempts: this.state.attempts });
  }

  private attempt(): void {
    this.timer = undefined;
    const attempts = this.state.attempts + 1;
    this.setHealth({ state: "connecting", lastError: this.state.lastError, attempts });
    this.pending = this.factory(this.target, this.transportOptions).then(
      (transport) => this.opened(transport),
      (err: unknown) => {
        if (!this.stopped) this.retry(toError(err));
      },
    );
  }

  private async opened(transport: Transport): Promise<void> {
    if (this.stopped) {
      await transport.close();
      return;
    }
    this.current = transport;
    transport.on("data", (bytes) => {
      // A replaced transport's late bytes belong to a connection we already gave up on.
      if (this.current === transport) this.listeners.emit("data", bytes);
    });
    transport.on("close", (reason, err) => {
      if (this.current !== transport) return;
      this.current = undefined;
      if (this.stopped) return;
      // Only our own stop() cancels; a close we did not ask for is retried like a disconnect.
      const why =
        err ?? new TransportError("TRANSPORT_DISCONNECTED", this.target, `closed unexpectedly (${reason})`);
      this.retry(why);
    });
    this.failures = 0;
    this.setHealth({ state: "open", lastError: undefined, attempts: 0 });
  }

  private retry(err: Error): void {
    this.failures += 1;
    const attempts = this.state.state === "open" ? 0 : this.state.attempts;
    const delay = backoffDelay(this.failures - 1, this.random, this.backoff);
    this.setHealth({ state: "waiting", lastError: err, attempts, retryInMs: delay });
    this.timer = this.scheduler.setTimeout(() => this.attempt(), delay);
  }

  private setHealth(next: Omit<Health, "since">): void {
    this.state = { ...next, since: this.now() };
    this.logHealth(this.state);
    this.listeners.emit("health", this.health());
  }

  private logHealth(h: Health): void {
    const fields = { target: this.target, state: h.state };
    if (h.state === "open") this.log.info(fields, "link open");
    else if (h.state === "waiting")
      this.log.warn(
        { ...fields, reason: h.lastError?.message, retryInMs: h.retryInMs },
        "link down, retrying",
      );
    else this.log.debug({ ...fields, attempts: h.attempts }, `link ${h.state}`);
  }
}

/**
 * The shared part of the MQTT relay drivers: the broker connection is the gateway's (shared), so a
 * relay only subscribes to its devices' state topics, queues pulses per channel, fails fast while
 * the broker is away, and waits for the device's confirmations with a reply timeout.
 *
 * Pulses on one channel never overlap: a pulse asked for while another runs on that channel is
 * queued behind it, so every caller gets its own full on…off.
 */

import type { Logger } from "pino";
import type { Scheduler } from "../../runtime/scheduler.js";
import { MqttError, type MqttLink, type MqttMessage } from "../mqtt/mqttTypes.js";
import { Listeners } from "../transport/listeners.js";
import { RelayError, type RelayFailure } from "./errors.js";
import { KeyedQueue } from "./keyedQueue.js";
import type { RelayCounters, RelayDriver, RelayEvents, RelayHealth, RestingStates } from "./relayDriver.js";

/** What every MQTT relay driver is handed. */
export interface MqttRelayDeps {
  /** The gateway's shared broker connection (started and stopped by the gateway, not the relay). */
  connection: MqttLink;
  /** Timers for reply timeouts and gateway-timed pulses. */
  scheduler: Scheduler;
  /** How long the device has to confirm a switch; default 2000 ms. */
  replyTimeoutMs?: number;
  logger: Logger;
  /** Set every time the broker connection comes up. */
  restingStates: RestingStates;
}

/** Default time a device has to confirm that it switched on. */
export const DEFAULT_REPLY_TIMEOUT_MS = 2000;

/**
 * How long after a device says it is online its channels are put into their resting state: some
 * firmware (Tasmota) announces itself before it subscribes to its commands.
 */
export const ONLINE_SETTLE_MS = 1000;

/** Where a device says it is online (its last-will topic) and the payload that means online. */
export interface Availability {
  topic: string;
  online: string;
}

/** A wait for one message; `cancel()` stops it without settling. */
export interface Waiter<T> {
  promise: Promise<T>;
  cancel(): void;
}

/** Base class of the MQTT relays; the constructor only assigns, start() subscribes. */
export abstract class MqttRelay implements RelayDriver {
  readonly id: string;
  protected readonly connection: MqttLink;
  protected readonly scheduler: Scheduler;
  protected readonly replyTimeoutMs: number;
  protected readonly log: Logger;
  private readonly restingStates: RestingStates;
  private readonly listeners = new Listeners<RelayEvents>();
  private readonly channels = new KeyedQueue<number>();
  private readonly totals = { pulses: 0, completed: 0, failed: 0, timeouts: 0, exceptions: 0 };
  private readonly matchers = new Set<(m: MqttMessage) => void>();
  private unsubscribe: (() => void)[] = [];
  private started = false;
  private stopping = false;
  private stopped = false;
  private wasOpen = false;
  /** Whether the connection was open at the last state change seen. */
  private up = false;
  /** The pending rest after the device came online. */
  private settleTimer: unknown;

  constructor(id: string, deps: MqttRelayDeps) {
    this.id = id;
    this.connection = deps.connection;
    this.scheduler = deps.scheduler;
    this.replyTimeoutMs = deps.replyTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS;
    this.log = deps.logger;
    this.restingStates = deps.restingStates;
  }

  /** Throws a RangeError when `channel` does not exist on this kind of device. */
  protected abstract checkChannel(channel: number): void;

  /** The topic filters the device answers on (subscribed on start). */
  protected abstract replyFilters(): string[];

  /** Switches on, lets the pulse run, ends it; throws RelayError (or MqttError) on failure. */
  protected abstract runPulse(channel: number, ms: number): Promise<void>;

  /** Called when the broker connection opens again after having been open (devices may have rebooted). */
  protected reconnected(): void {}

  /** Publishes the command that puts `channel` into the state `on`, without waiting for a confirmation. */
  protected abstract restChannel(channel: number, on: boolean): Promise<void>;

  /** Where the device announces that it is online (it may come back after the broker did). */
  protected abstract availability(): Availability;

  start(): void {
    if (this.started || this.stopping) return;
    this.started = true;
    const online = this.availability();
    this.unsubscribe = [
      this.connection.on("state", () => this.onState()),
      ...this.replyFilters().map((filter) => this.connection.subscribe(filter, (m) => this.onMessage(m))),
      this.connection.subscribe(online.topic, (m) => this.onAvailability(m, online)),
    ];
    this.wasOpen = this.connection.isOpen();
    this.up = this.wasOpen;
    if (this.up) this.rest();
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.scheduler.clearTimeout(this.settleTimer);
    await this.channels.idle();
    for (const off of this.unsubscribe.splice(0)) off();
    this.stopped = true;
    this.listeners.emit("state", this.health());
  }

  health(): RelayHealth {
    const h = this.connection.health();
    if (this.stopped) return { relayId: this.id, state: "stopped", since: h.since, lastError: undefined };
    return { relayId: this.id, state: h.state, since: h.since, lastError: h.lastError };
  }

  on<K extends keyof RelayEvents>(event: K, listener: RelayEvents[K]): () => void {
    return this.listeners.on(event, listener);
  }

  counters(): RelayCounters {
    return { ...this.totals, inFlight: this.channels.pending() };
  }

  pulse(channel: number, ms: number): Promise<void> {
    if (this.stopping || !this.started) {
      return Promise.reject(this.failure(channel, "stopped", "the relay driver is not running"));
    }
    try {
      this.checkChannel(channel);
    } catch (err) {
      return Promise.reject(this.failure(channel, "bad_channel", (err as Error).message, err));
    }
    if (!Number.isInteger(ms) || ms <= 0) {
      return Promise.reject(this.failure(channel, "bad_channel", `expected pulse ms > 0, found ${ms}`));
    }
    // Fail fast while the broker is away: a door pulse that fires minutes later opens for nobody.
    if (!this.connection.isOpen()) {
      const h = this.connection.health();
      return Promise.reject(
        this.failure(channel, "transport_down", `the broker connection is ${h.state}`, h.lastError),
      );
    }
    this.totals.pulses += 1;
    return this.channels
      .run(channel, () => {
        if (this.stopping) throw this.failure(channel, "stopped", "stopped");
        if (!this.connection.isOpen())
          throw this.failure(channel, "transport_down", "the broker connection is down");
        return this.runPulse(channel, ms);
      })
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

  /** A RelayError RELAY_FAILED naming this relay and channel. */
  protected failure(channel: number, failure: RelayFailure, message: string, cause?: unknown): RelayError {
    return new RelayError("RELAY_FAILED", { relayId: this.id, channel, failure }, message, { cause });
  }

  /**
   * Waits for the first live message for which `match` returns a value (register it before
   * publishing the command it answers); rejects with failure "timeout" after `timeoutMs`.
   */
  protected waitFor<T>(
    channel: number,
    what: string,
    timeoutMs: number,
    match: (m: MqttMessage) => T | undefined,
  ): Waiter<T> {
    let matcher: (m: MqttMessage) => void = () => {};
    let timer: unknown;
    const cancel = () => {
      this.matchers.delete(matcher);
      this.scheduler.clearTimeout(timer);
    };
    const promise = new Promise<T>((resolve, reject) => {
      matcher = (m) => {
        const value = match(m);
        if (value === undefined) return;
        cancel();
        resolve(value);
      };
      this.matchers.add(matcher);
      timer = this.scheduler.setTimeout(() => {
        cancel();
        reject(this.failure(channel, "timeout", `no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    // The caller may not be awaiting yet (still publishing) when the timeout fires.
    promise.catch(() => {});
    return { promise, cancel };
  }

  /** Resolves after `ms` on the injected scheduler. */
  protected sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.scheduler.setTimeout(resolve, ms));
  }

  hold(channel: number, on: boolean): Promise<void> {
    if (this.stopping || !this.started)
      return Promise.reject(this.failure(channel, "stopped", "the relay driver is not running"));
    try {
      this.checkChannel(channel);
    } catch (err) {
      return Promise.reject(this.failure(channel, "bad_channel", (err as Error).message, err));
    }
    // D8: while the broker is away the state is re-asserted from restingStates when it returns.
    if (!this.connection.isOpen())
      return Promise.reject(this.failure(channel, "transport_down", "the broker connection is down"));
    return this.channels
      .run(channel, () => this.restChannel(channel, on), { counted: false })
      .catch((err: unknown) => {
        throw this.wrap(err, channel);
      });
  }

  /** Publishes without failing the pulse: for safety "off" commands after the outcome is known. */
  protected async publishQuietly(topic: string, payload: string, why: string): Promise<boolean> {
    try {
      await this.connection.publish(topic, payload);
      return true;
    } catch (err) {
      this.log.warn({ relayId: this.id, topic, err }, `could not ${why}`);
      return false;
    }
  }

  /** Puts every resting channel into its state, each behind any pulse queued on it. */
  private rest(): void {
    for (const { channel, on } of this.restingStates()) {
      // Not a pulse: left out of `inFlight`.
      void this.channels
        .run(channel, () => this.restChannel(channel, on), { counted: false })
        .then(
          () => this.log.debug({ relayId: this.id, channel, on }, "channel set to its resting state"),
          (err: unknown) =>
            this.log.warn(
              { relayId: this.id, channel, on, err },
              "could not set the channel to its resting state",
            ),
        );
    }
  }

  /**
   * A device that comes online (after a reboot, or back after the broker) may have missed the rest
   * sent when the broker came up: rest again once it has had time to subscribe. A retained
   * "online" replayed on subscribe gets the same, which is harmless.
   */
  private onAvailability(message: MqttMessage, online: Availability): undefined {
    if (this.stopping || message.payload.toString().trim() !== online.online) return undefined;
    this.scheduler.clearTimeout(this.settleTimer);
    this.settleTimer = this.scheduler.setTimeout(() => {
      this.settleTimer = undefined;
      if (!this.stopping && this.connection.isOpen()) this.rest();
    }, ONLINE_SETTLE_MS);
    return undefined;
  }

  private onMessage(message: MqttMessage): undefined {
    // A retained state is an old one the broker replays on subscribe, not an answer to our command.
    if (message.retain) return undefined;
    for (const matcher of [...this.matchers]) matcher(message);
    return undefined;
  }

  private onState(): void {
    if (this.stopped) return;
    const open = this.connection.isOpen();
    if (open && this.wasOpen) this.reconnected();
    if (open) this.wasOpen = true;
    if (open && !this.up) this.rest();
    this.up = open;
    this.listeners.emit("state", this.health());
  }

  /** Turns whatever a pulse threw into a RelayError naming this relay and the channel. */
  private wrap(err: unknown, channel: number): RelayError {
    if (err instanceof RelayError) return err;
    if (err instanceof MqttError && (err.code === "MQTT_NOT_CONNECTED" || err.code === "MQTT_STOPPED")) {
      return this.failure(channel, "transport_down", err.message, err);
    }
    const message = err instanceof Error ? err.message : String(err);
    return this.failure(channel, "write_failed", `publish failed: ${message}`, err);
  }
}

/**
 * The `osdp-output` relay: a PD's own outputs (a door's `channel` is the output number, from 0),
 * switched with OUT on the bus its `osdp` reader shares (drivers/osdp/osdpPorts.ts). A pulse is a
 * temporary ON timed by the PD itself, in OSDP's 100 ms units, so the door locks again on time even
 * if the gateway stops mid-pulse; the pulse resolves once the PD ACKed and the time has run.
 */
import type { Logger } from "pino";
import type { Scheduler } from "../../runtime/scheduler.js";
import { OUTPUT_CONTROL } from "../osdp/codes.js";
import { OsdpCommandError, type PdStatus } from "../osdp/cpTypes.js";
import type { OsdpPorts } from "../osdp/osdpPorts.js";
import { Listeners } from "../transport/listeners.js";
import { RelayError, type RelayFailure } from "./errors.js";
import { KeyedQueue } from "./keyedQueue.js";
import type { RelayCounters, RelayDriver, RelayEvents, RelayHealth, RestingStates } from "./relayDriver.js";

/** Where the PD is: its reader's port and address. */
export interface OsdpPdLocation {
  port: string;
  address: number;
}

/** What an osdp-output relay is handed. */
export interface OsdpOutputRelayDeps {
  ports: OsdpPorts;
  /** The PD of the relay's `reader`, as configured now; undefined when that reader is not an osdp reader. */
  pd: OsdpPdLocation | undefined;
  scheduler: Scheduler;
  clock: () => number;
  logger: Logger;
  /** Put every time the PD comes online (a PD that restarted has its outputs off). */
  restingStates: RestingStates;
}

/** OSDP's output timer counts tenths of a second in two bytes. */
const MAX_TENTHS = 0xffff;

/** A PD's outputs as a relay; the constructor only assigns, `start()` follows the PD's state. */
export class OsdpOutputRelay implements RelayDriver {
  readonly id: string;
  private readonly deps: OsdpOutputRelayDeps;
  private readonly listeners = new Listeners<RelayEvents>();
  private readonly channels = new KeyedQueue<number>();
  private readonly totals = { pulses: 0, completed: 0, failed: 0, timeouts: 0, exceptions: 0 };
  private state: { online: boolean; since: number; lastError: Error | undefined };
  private unsubscribe: (() => void) | undefined;
  private started = false;
  private stopped = false;

  constructor(id: string, deps: OsdpOutputRelayDeps) {
    this.id = id;
    this.deps = deps;
    this.state = { online: false, since: deps.clock(), lastError: undefined };
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const pd = this.deps.pd;
    if (pd === undefined) {
      this.state.lastError = new Error("its reader is not an osdp reader of this configuration");
      return;
    }
    this.unsubscribe = this.deps.ports.on(pd.port, pd.address, "status", (s) => this.onStatus(s));
    const now = this.deps.ports.status(pd.port, pd.address);
    if (now !== undefined) this.onStatus(now);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.channels.idle();
    this.unsubscribe?.();
    this.listeners.emit("state", this.health());
  }

  health(): RelayHealth {
    // Like a reader: connecting until the PD first answers, waiting (with why) once it stopped.
    const state = this.stopped
      ? "stopped"
      : this.state.online
        ? "open"
        : this.state.lastError === undefined
          ? "connecting"
          : "waiting";
    return { relayId: this.id, state, since: this.state.since, lastError: this.state.lastError };
  }

  on<K extends keyof RelayEvents>(event: K, listener: RelayEvents[K]): () => void {
    return this.listeners.on(event, listener);
  }

  counters(): RelayCounters {
    return { ...this.totals, inFlight: this.channels.pending() };
  }

  /** A temporary ON of output `channel` for `ms` (rounded up to 100 ms), timed by the PD. */
  pulse(channel: number, ms: number): Promise<void> {
    if (!Number.isInteger(ms) || ms <= 0 || Math.ceil(ms / 100) > MAX_TENTHS)
      return Promise.reject(
        this.failure(channel, "bad_channel", `expected pulse ms 1..${MAX_TENTHS * 100}, found ${ms}`),
      );
    const tenths = Math.ceil(ms / 100);
    return this.queued(channel, true, async () => {
      await this.out(channel, OUTPUT_CONTROL.TEMPORARY_ON, tenths);
      // The next pulse on this output waits for this one's end (the PD times it; the wait mirrors it).
      await new Promise<void>((resolve) => this.deps.scheduler.setTimeout(resolve, tenths * 100));
    });
  }

  /** D3: a permanent ON or OFF that ends any running timed state. */
  hold(channel: number, on: boolean): Promise<void> {
    const control = on ? OUTPUT_CONTROL.PERMANENT_ON_ABORT_TIMED : OUTPUT_CONTROL.PERMANENT_OFF_ABORT_TIMED;
    return this.queued(channel, false, () => this.out(channel, control, 0));
  }

  private queued(channel: number, counted: boolean, task: () => Promise<void>): Promise<void> {
    const pd = this.deps.pd;
    if (!this.started || this.stopped)
      return Promise.reject(this.failure(channel, "stopped", "the relay driver is not running"));
    if (!Number.isInteger(channel) || channel < 0 || channel > 255)
      return Promise.reject(
        this.failure(channel, "bad_channel", `expected an output number 0..255, found ${channel}`),
      );
    // Fail fast while the PD does not answer: a door pulse that fires much later opens for nobody.
    if (pd === undefined || !this.state.online)
      return Promise.reject(this.failure(channel, "transport_down", this.downReason()));
    if (counted) this.totals.pulses++;
    return this.channels.run(channel, task, { counted }).then(
      () => {
        if (counted) this.totals.completed++;
      },
      (err: unknown) => {
        const error = this.wrap(err, channel);
        if (counted) {
          this.totals.failed++;
          if (error.failure === "timeout") this.totals.timeouts++;
          if (error.failure === "exception") this.totals.exceptions++;
        }
        throw error;
      },
    );
  }

  private async out(output: number, control: number, timerTenths: number): Promise<void> {
    const pd = this.deps.pd as OsdpPdLocation;
    await this.deps.ports.send(pd.port, pd.address, {
      kind: "out",
      outputs: [{ output, control, timerTenths }],
    });
  }

  private onStatus(status: PdStatus): void {
    if (status.online === this.state.online) return;
    this.state = {
      online: status.online,
      since: this.deps.clock(),
      lastError: status.online ? undefined : new Error(`PD ${status.address} does not answer`),
    };
    if (status.online) this.rest();
    this.listeners.emit("state", this.health());
  }

  /** D3: each output a door uses goes into its door's mode when the PD (re)appears. */
  private rest(): void {
    for (const { channel, on } of this.deps.restingStates())
      this.hold(channel, on).catch((err: unknown) =>
        this.deps.logger.warn({ err, channel }, "OSDP output not put into its resting state"),
      );
  }

  private downReason(): string {
    if (this.deps.pd === undefined) return this.state.lastError?.message ?? "no PD";
    return `the PD at address ${this.deps.pd.address} on ${this.deps.pd.port} is offline`;
  }

  /** An OSDP failure as RELAY_FAILED: a NAK is the device's exception, offline is a timeout. */
  private wrap(err: unknown, channel: number): RelayError {
    if (err instanceof RelayError) return err;
    if (err instanceof OsdpCommandError) {
      const failure: RelayFailure =
        err.code === "OSDP_NAK" || err.code === "OSDP_UNSUPPORTED" || err.code === "OSDP_INVALID"
          ? "exception"
          : err.code === "OSDP_STOPPED"
            ? "stopped"
            : err.code === "OSDP_OFFLINE"
              ? "timeout"
              : "transport_down";
      return this.failure(channel, failure, err.message, err);
    }
    return this.failure(channel, "write_failed", (err as Error).message, err);
  }

  private failure(channel: number, failure: RelayFailure, message: string, cause?: unknown): RelayError {
    return new RelayError("RELAY_FAILED", { relayId: this.id, channel, failure }, message, { cause });
  }
}

/**
 * Modbus RTU inputs (doors.md D1): a discrete input (FC02) or a coil read back (FC01), polled every
 * `pollMs` on the port's shared bus, between the relay board's requests. The level is unknown while
 * the link is down, at once, and after POLL_FAILURES_DOWN polls in a row get no answer (or an
 * exception: a wrong address or unit never answers better by waiting).
 */
import type { Input } from "../../config/inputs.js";
import { encodeReadBits, FC_READ_COILS, FC_READ_DISCRETE_INPUTS, replyBit } from "../codecs/modbusRtu.js";
import type { BusLink, ModbusBus } from "../modbus/modbusBus.js";
import type { HealthState } from "../transport/reconnecting.js";
import { BaseInput, type InputBaseOptions } from "./inputDriver.js";

/** A modbus-rtu input config. */
export type ModbusInputConfig = Extract<Input, { driver: "modbus-rtu" }>;

/** Polls in a row without an answer before the level is unknown: one lost reply is line noise. */
export const POLL_FAILURES_DOWN = 3;

/** What a Modbus input is handed besides its config. */
export interface ModbusInputDeps extends Omit<InputBaseOptions, "id" | "activeLow" | "debounceMs"> {
  bus: ModbusBus;
}

/** A polled Modbus input; the constructor only assigns, start() joins the bus and polls. */
export class ModbusInput extends BaseInput {
  readonly driver = "modbus-rtu";
  private readonly config: ModbusInputConfig;
  private readonly bus: ModbusBus;
  private readonly link: BusLink;
  private readonly frame: Uint8Array;
  private unsubscribe: (() => void) | undefined;
  private timer: unknown;
  private failures = 0;
  private polling = false;

  constructor(config: ModbusInputConfig, deps: ModbusInputDeps) {
    super({ ...deps, id: config.id, activeLow: config.activeLow, debounceMs: config.debounceMs });
    this.config = config;
    this.bus = deps.bus;
    this.link = deps.bus.link();
    const fc = config.function === "coils" ? FC_READ_COILS : FC_READ_DISCRETE_INPUTS;
    this.frame = encodeReadBits(config.unitId, fc, config.address);
  }

  /** Joins the bus (opening it if first) and polls while its link is open. */
  start(): void {
    if (this.unsubscribe !== undefined || this.stopped) return;
    this.unsubscribe = this.link.on("health", () => this.onLink());
    this.link.start();
    this.onLink();
  }

  /** Stops polling and leaves the bus (the last one to leave closes it). */
  async stop(): Promise<void> {
    this.halt();
    this.scheduler.clearTimeout(this.timer);
    this.unsubscribe?.();
    await this.link.stop();
  }

  protected linkState(): { state: HealthState; since: number } {
    const h = this.link.health();
    return { state: this.stopped ? "stopped" : h.state, since: h.since };
  }

  private onLink(): void {
    if (this.stopped) return;
    const h = this.link.health();
    if (h.state !== "open") {
      this.down(`serial link ${h.state}${h.lastError ? ` (${h.lastError.message})` : ""}`);
      return;
    }
    this.linkChanged();
    this.awaitingReading();
    if (!this.polling) this.poll();
  }

  private poll(): void {
    if (this.stopped || this.link.health().state !== "open") {
      this.polling = false;
      return;
    }
    this.polling = true;
    this.bus.request(this.frame).then(
      (outcome) => {
        if (outcome.ok && outcome.data !== undefined) {
          this.failures = 0;
          this.reading(replyBit(outcome.data, 0));
        } else if (!outcome.ok && outcome.reason === "exception") {
          this.down(
            `unit ${this.config.unitId} answers ${this.what()} with exception ${outcome.code} ${outcome.name}`,
          );
        } else
          this.missed(
            `no answer from unit ${this.config.unitId} to ${this.what()} within ${this.bus.timeoutMs} ms`,
          );
        this.next();
      },
      (err: unknown) => {
        this.missed(`poll not sent: ${err instanceof Error ? err.message : String(err)}`);
        this.next();
      },
    );
  }

  private next(): void {
    if (this.stopped) return;
    // Paced from the end of each poll, so the bus always has room for the relay's requests.
    this.timer = this.scheduler.setTimeout(() => this.poll(), this.config.pollMs);
  }

  private missed(reason: string): void {
    this.failures += 1;
    if (this.failures >= POLL_FAILURES_DOWN) this.down(reason);
  }

  private what(): string {
    return `${this.config.function === "coils" ? "coil" : "discrete input"} ${this.config.address}`;
  }
}

/**
 * Modbus RTU relay boards (modbus-rtu): FC05 write single coil, on and later off, each confirmed
 * by the board's echo. One request is in flight on the bus at a time.
 */
import { encodeWriteCoil } from "../codecs/modbusRtu.js";
import { RelayError } from "./errors.js";
import { KeyedQueue } from "./keyedQueue.js";
import { type ExchangeEvent, type ExchangeState, startExchange, stepExchange } from "./modbusExchange.js";
import { SerialRelay, type SerialRelayOptions } from "./relayDriver.js";

/** How long to wait for a board's reply when none is configured. */
export const defaultReplyTimeoutMs = 500;

/** What a ModbusRelay is handed on top of the serial options. */
export interface ModbusRelayOptions extends SerialRelayOptions {
  unitId: number;
  replyTimeoutMs?: number;
}

interface InFlight {
  state: ExchangeState;
  timer: unknown;
  coil: number;
  on: boolean;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** A Modbus RTU board; channels are coil addresses (RELAY_CHANNELS["modbus-rtu"]). */
export class ModbusRelay extends SerialRelay {
  private readonly unitId: number;
  private readonly replyTimeoutMs: number;
  /** One key: the whole bus. RTU has no request ids, so a reply can only be matched to one request. */
  private readonly bus = new KeyedQueue<"bus">();
  private current: InFlight | undefined;

  constructor(options: ModbusRelayOptions) {
    super(options);
    this.unitId = options.unitId;
    this.replyTimeoutMs = options.replyTimeoutMs ?? defaultReplyTimeoutMs;
  }

  protected checkChannel(channel: number): void {
    encodeWriteCoil(this.unitId, channel, false);
  }

  protected switchChannel(channel: number, on: boolean): Promise<void> {
    return this.bus.run("bus", () => this.request(channel, on));
  }

  protected override received(bytes: Uint8Array): void {
    // Bytes while nothing is in flight are late or foreign replies: drop them.
    if (this.current !== undefined) this.feed(this.current, { type: "bytes", bytes });
  }

  private request(coil: number, on: boolean): Promise<void> {
    const frame = encodeWriteCoil(this.unitId, coil, on);
    return new Promise<void>((resolve, reject) => {
      const flight: InFlight = { state: startExchange(frame), timer: undefined, coil, on, resolve, reject };
      this.current = flight;
      flight.timer = this.scheduler.setTimeout(
        () => this.feed(flight, { type: "timeout" }),
        this.replyTimeoutMs,
      );
      this.transport.write(frame).catch((err: unknown) => this.finish(flight, err));
    });
  }

  private feed(flight: InFlight, event: ExchangeEvent): void {
    if (this.current !== flight) return;
    flight.state = stepExchange(flight.state, event);
    const state = flight.state;
    if (state.phase !== "done") return;
    const { outcome } = state;
    if (outcome.ok) {
      this.finish(flight, undefined);
      return;
    }
    const where = { relayId: this.id, channel: flight.coil };
    const what = `coil ${flight.coil} ${flight.on ? "on" : "off"} (unit ${this.unitId})`;
    const err =
      outcome.reason === "exception"
        ? new RelayError(
            "RELAY_FAILED",
            { ...where, failure: "exception" },
            `expected an echo to ${what}, found exception ${outcome.code} ${outcome.name}`,
            { cause: outcome },
          )
        : new RelayError(
            "RELAY_FAILED",
            { ...where, failure: "timeout" },
            `expected an echo to ${what} within ${this.replyTimeoutMs} ms, found ${outcome.received} bytes`,
            { cause: outcome },
          );
    this.finish(flight, err);
  }

  private finish(flight: InFlight, err: unknown): void {
    if (this.current !== flight) return;
    this.current = undefined;
    this.scheduler.clearTimeout(flight.timer);
    if (err === undefined) flight.resolve();
    else flight.reject(err);
  }
}

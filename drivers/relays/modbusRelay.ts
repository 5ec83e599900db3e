/**
 * Modbus RTU relay boards (modbus-rtu): FC05 write single coil, on and later off, each confirmed
 * by the board's echo. The board's bus is shared with the Modbus inputs on the same port (one
 * request in flight at a time, ModbusBus).
 */
import { encodeWriteCoil } from "../codecs/modbusRtu.js";
import type { ModbusBus } from "../modbus/modbusBus.js";
import { RelayError } from "./errors.js";
import { SerialRelay, type SerialRelayOptions } from "./relayDriver.js";

/** What a ModbusRelay is handed: the common relay options and the bus its board is on. */
export type ModbusRelayOptions = Omit<Extract<SerialRelayOptions, { link: unknown }>, "link"> & {
  bus: ModbusBus;
  unitId: number;
};

/** A Modbus RTU board; channels are coil addresses (RELAY_CHANNELS["modbus-rtu"]). */
export class ModbusRelay extends SerialRelay {
  private readonly unitId: number;
  private readonly bus: ModbusBus;

  constructor(options: ModbusRelayOptions) {
    super({ ...options, link: options.bus.link() });
    this.unitId = options.unitId;
    this.bus = options.bus;
  }

  protected checkChannel(channel: number): void {
    encodeWriteCoil(this.unitId, channel, false);
  }

  protected async switchChannel(channel: number, on: boolean): Promise<void> {
    const outcome = await this.bus.request(encodeWriteCoil(this.unitId, channel, on));
    if (outcome.ok) return;
    const where = { relayId: this.id, channel };
    const what = `coil ${channel} ${on ? "on" : "off"} (unit ${this.unitId})`;
    throw outcome.reason === "exception"
      ? new RelayError(
          "RELAY_FAILED",
          { ...where, failure: "exception" },
          `expected an echo to ${what}, found exception ${outcome.code} ${outcome.name}`,
          { cause: outcome },
        )
      : new RelayError(
          "RELAY_FAILED",
          { ...where, failure: "timeout" },
          `expected an echo to ${what} within ${this.bus.timeoutMs} ms, found ${outcome.received} bytes`,
          { cause: outcome },
        );
  }
}

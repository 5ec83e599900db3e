/** Builds the driver an input's config names: MQTT devices on the shared broker, or Modbus inputs on a shared bus. */
import type { Logger } from "pino";
import { AccessGwError } from "../../config/errors.js";
import type { Input } from "../../config/inputs.js";
import type { Scheduler } from "../../runtime/scheduler.js";
import type { ModbusBuses } from "../modbus/modbusBus.js";
import type { MqttLink } from "../mqtt/mqttTypes.js";
import type { InputDriver } from "./inputDriver.js";
import { ModbusInput } from "./modbusInput.js";
import { MqttInput } from "./mqttInputs.js";

/** What createInput hands to every driver. */
export interface InputDeps {
  scheduler: Scheduler;
  clock: () => number;
  logger: Logger;
  /** The gateway's shared broker connection; needed by mqtt-* inputs. */
  mqtt?: MqttLink;
  /** The gateway's Modbus buses, one per port (shared with a modbus-rtu relay board). */
  modbusBuses: ModbusBuses;
  /** The gateway id (Shelly Gen2 answers on a topic made from it). */
  gatewayId: string;
}

/** Creates (does not start) the driver for `config`; throws INPUT_UNSUPPORTED when mqtt-* has no broker. */
export function createInput(
  config: Input,
  deps: InputDeps,
): InputDriver & { readonly driver: Input["driver"] } {
  const common = { scheduler: deps.scheduler, clock: deps.clock, logger: deps.logger };
  if (config.driver === "modbus-rtu")
    return new ModbusInput(config, { ...common, bus: deps.modbusBuses.bus(config.port, config.baudRate) });
  if (deps.mqtt === undefined)
    throw new AccessGwError(
      "INPUT_UNSUPPORTED",
      `input ${config.id}: driver ${config.driver} needs a broker, but the configuration has no mqtt: section (add mqtt: { url: mqtt://host:1883 })`,
    );
  return new MqttInput(config, { ...common, connection: deps.mqtt, gatewayId: deps.gatewayId });
}

/** Builds the driver a relay's config names; the serial drivers only, MQTT ones come later. */
import type { Relay } from "../../config/gateway.js";
import type { BackoffOptions } from "../transport/backoff.js";
import type { Scheduler } from "../transport/reconnecting.js";
import type { TransportFactory } from "../transport/transport.js";
import { RelayError } from "./errors.js";
import { LcusRelay } from "./lcusRelay.js";
import { ModbusRelay } from "./modbusRelay.js";
import type { RelayDriver } from "./relayDriver.js";

/** What createRelay hands to every driver. */
export interface RelayDeps {
  transportFactory: TransportFactory;
  scheduler: Scheduler;
  backoff?: BackoffOptions;
  /** Modbus reply timeout; default 500 ms. */
  replyTimeoutMs?: number;
}

/** Creates (does not start) the driver for `config`; throws RelayError RELAY_UNSUPPORTED for mqtt-*. */
export function createRelay(config: Relay, deps: RelayDeps): RelayDriver {
  const common = {
    id: config.id,
    transportFactory: deps.transportFactory,
    scheduler: deps.scheduler,
    ...(deps.backoff === undefined ? {} : { backoff: deps.backoff }),
  };
  switch (config.driver) {
    case "lcus-serial":
      return new LcusRelay({ ...common, port: config.port, baudRate: config.baudRate });
    case "modbus-rtu":
      return new ModbusRelay({
        ...common,
        port: config.port,
        baudRate: config.baudRate,
        unitId: config.unitId,
        ...(deps.replyTimeoutMs === undefined ? {} : { replyTimeoutMs: deps.replyTimeoutMs }),
      });
    default:
      throw new RelayError(
        "RELAY_UNSUPPORTED",
        { relayId: config.id, failure: "unsupported" },
        `expected a serial driver (lcus-serial, modbus-rtu), found ${config.driver}: MQTT relays are not built yet`,
      );
  }
}

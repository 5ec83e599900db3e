/**
 * What the daemon hands its drivers: the shared dependencies every driver gets, and the links
 * drivers share (one Modbus bus per port, one OSDP bus per port, the broker connection), built from
 * the daemon's options.
 */
import type { GatewayConfig } from "../config/gateway.js";
import { ModbusBuses } from "../drivers/modbus/modbusBus.js";
import { MqttConnection } from "../drivers/mqtt/connection.js";
import type { ReaderDeps } from "../drivers/readers/createReader.js";
import type { RelayDeps } from "../drivers/relays/createRelay.js";
import { openTransport } from "../drivers/transport/transport.js";
import { realScheduler } from "../runtime/scheduler.js";
import type { GatewayOptions } from "./daemon.js";
import { OsdpFeature } from "./features/osdp.js";

/** What every reader and relay driver gets from the daemon (its logger and resting states come from its feature). */
export type DriverDeps = Omit<ReaderDeps, "logger"> & Omit<RelayDeps, "logger" | "restingStates">;

/** The Modbus buses, one per port, opened by the first device on each. */
export function modbusBusesFor(options: GatewayOptions): ModbusBuses {
  const { transportFactory, scheduler, backoff, logger } = options;
  return new ModbusBuses({
    transportFactory: transportFactory ?? openTransport,
    scheduler: scheduler ?? realScheduler,
    logger: logger.child({ component: "modbus" }),
    ...(backoff === undefined ? {} : { backoff }),
  });
}

/** The OSDP buses, one per port, opened by the first osdp reader on each. */
export function osdpFeatureFor(options: GatewayOptions, config: () => GatewayConfig): OsdpFeature {
  const { transportFactory, scheduler, backoff, logger, monotonic } = options;
  return new OsdpFeature({
    transportFactory: transportFactory ?? openTransport,
    scheduler: scheduler ?? realScheduler,
    monotonic: monotonic ?? performance.now.bind(performance),
    logger,
    config,
    ...(backoff === undefined ? {} : { backoff }),
  });
}

/** What every driver is handed; each feature adds the driver's own logger (and a relay its resting states). */
export function driverDeps(options: GatewayOptions, mqtt: MqttConnection | undefined): DriverDeps {
  const { transportFactory, scheduler, backoff, clock } = options;
  return {
    transportFactory: transportFactory ?? openTransport,
    scheduler: scheduler ?? realScheduler,
    clock,
    gatewayId: options.gatewayId,
    ...(backoff === undefined ? {} : { backoff }),
    ...(mqtt === undefined ? {} : { mqtt }),
  };
}

/** The shared broker connection, started before the drivers that subscribe and publish on it. */
export function brokerFor(
  options: GatewayOptions,
  config: NonNullable<GatewayConfig["mqtt"]>,
  changed: () => void,
): MqttConnection {
  const { gatewayId, logger, clock, scheduler, backoff } = options;
  const mqtt = new MqttConnection({
    config,
    gatewayId,
    logger: logger.child({ component: "mqtt" }),
    now: clock,
    ...(scheduler === undefined ? {} : { scheduler }),
    ...(backoff === undefined ? {} : { backoff }),
  });
  mqtt.on("state", changed);
  return mqtt;
}

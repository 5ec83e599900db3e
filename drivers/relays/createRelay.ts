/** Builds the driver a relay's config names: serial boards, or MQTT devices on the shared broker connection. */

import type { Logger } from "pino";
import type { Relay } from "../../config/gateway.js";
import type { Scheduler } from "../../runtime/scheduler.js";
import { ModbusBus, type ModbusBuses } from "../modbus/modbusBus.js";
import type { MqttLink } from "../mqtt/mqttTypes.js";
import type { OsdpPorts } from "../osdp/osdpPorts.js";
import type { BackoffOptions } from "../transport/backoff.js";
import type { TransportFactory } from "../transport/transport.js";
import { RelayError } from "./errors.js";
import { LcusRelay } from "./lcusRelay.js";
import { ModbusRelay } from "./modbusRelay.js";
import { ShellyGen1Relay, ShellyGen2Relay, TasmotaRelay } from "./mqttRelays.js";
import { OsdpOutputRelay, type OsdpPdLocation } from "./osdpOutputRelay.js";
import type { RelayDriver, RestingStates } from "./relayDriver.js";

/** What createRelay hands to every driver. */
export interface RelayDeps {
  transportFactory: TransportFactory;
  scheduler: Scheduler;
  backoff?: BackoffOptions;
  /** Reply timeout: Modbus default 500 ms; MQTT devices (switch confirmation) default 2000 ms. */
  replyTimeoutMs?: number;
  /** The gateway's shared broker connection (from the `mqtt:` section); needed by mqtt-* relays. */
  mqtt?: MqttLink;
  /** The gateway id: Shelly Gen2 answers on `<gatewayId>/rpc` (made topic-safe). */
  gatewayId?: string;
  /** Required: a relay's warnings (no OFF report, a failed switch) must reach the daemon's log. */
  logger: Logger;
  /** The gateway's Modbus buses, one per port; without it a modbus-rtu board gets a bus of its own. */
  modbusBuses?: ModbusBuses;
  /** The channels to put into their resting state whenever the link to the device (re)opens. */
  restingStates: RestingStates;
  /** The gateway's OSDP ports, shared with the osdp readers; needed by osdp-output relays. */
  osdpPorts?: OsdpPorts;
  /** Where the PD of an osdp reader is (by reader id); undefined for a reader that is not osdp. */
  osdpPd?: (readerId: string) => OsdpPdLocation | undefined;
  /** Stamps health changes (ms); Date.now when left out. */
  clock?: () => number;
}

/** Creates (does not start) the driver for `config`; throws RelayError RELAY_UNSUPPORTED when mqtt-* has no broker. */
export function createRelay(config: Relay, deps: RelayDeps): RelayDriver {
  const common = {
    id: config.id,
    transportFactory: deps.transportFactory,
    scheduler: deps.scheduler,
    logger: deps.logger,
    restingStates: deps.restingStates,
    ...(deps.backoff === undefined ? {} : { backoff: deps.backoff }),
  };
  switch (config.driver) {
    case "lcus-serial":
      return new LcusRelay({
        ...common,
        port: config.port,
        baudRate: config.baudRate,
        frameGapMs: config.frameGapMs,
      });
    case "modbus-rtu": {
      // One bus per port: the board shares it with the Modbus inputs on the same port.
      const busDeps = {
        ...common,
        ...(deps.replyTimeoutMs === undefined ? {} : { replyTimeoutMs: deps.replyTimeoutMs }),
      };
      const bus =
        deps.modbusBuses?.bus(config.port, config.baudRate) ??
        new ModbusBus({ ...busDeps, port: config.port, baudRate: config.baudRate });
      return new ModbusRelay({ ...common, bus, unitId: config.unitId });
    }
    case "mqtt-tasmota":
    case "mqtt-shelly-gen2":
    case "mqtt-shelly-gen1": {
      if (deps.mqtt === undefined) {
        throw new RelayError(
          "RELAY_UNSUPPORTED",
          { relayId: config.id, failure: "unsupported" },
          `driver ${config.driver} needs a broker, but the configuration has no mqtt: section (add mqtt: { url: mqtt://host:1883 })`,
        );
      }
      const mqttDeps = {
        connection: deps.mqtt,
        scheduler: deps.scheduler,
        ...(deps.replyTimeoutMs === undefined ? {} : { replyTimeoutMs: deps.replyTimeoutMs }),
        logger: deps.logger,
        restingStates: deps.restingStates,
      };
      if (config.driver === "mqtt-tasmota") return new TasmotaRelay(config, mqttDeps);
      if (config.driver === "mqtt-shelly-gen1") return new ShellyGen1Relay(config, mqttDeps);
      return new ShellyGen2Relay({ ...config, gatewayId: deps.gatewayId ?? "accessgw" }, mqttDeps);
    }
    case "osdp-output": {
      if (deps.osdpPorts === undefined || deps.osdpPd === undefined)
        throw new RelayError(
          "RELAY_UNSUPPORTED",
          { relayId: config.id, failure: "unsupported" },
          "driver osdp-output drives the PD of an osdp reader, and this gateway runs no OSDP bus",
        );
      return new OsdpOutputRelay(config.id, {
        ports: deps.osdpPorts,
        pd: deps.osdpPd(config.reader),
        scheduler: deps.scheduler,
        clock: deps.clock ?? Date.now,
        logger: deps.logger,
        restingStates: deps.restingStates,
      });
    }
  }
}

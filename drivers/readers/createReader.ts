/** Picks a reader driver for a configured reader. */

import type { Logger } from "pino";
import type { Reader } from "../../config/gateway.js";
import type { Scheduler } from "../../runtime/scheduler.js";
import type { MqttLink } from "../mqtt/mqttTypes.js";
import type { BackoffOptions } from "../transport/backoff.js";
import type { TransportFactory } from "../transport/transport.js";
import { MqttReader } from "./mqttReader.js";
import { Rdm6300Reader } from "./rdm6300Reader.js";
import { type ReaderDriver, ReaderError } from "./readerDriver.js";
import { SerialLineReader } from "./serialLineReader.js";

/** What createReader hands to the driver it makes. */
export interface ReaderDeps {
  transportFactory: TransportFactory;
  clock: () => number;
  scheduler: Scheduler;
  /** Required: rejected reads and link changes must reach the daemon's log. */
  logger: Logger;
  /** Reconnect backoff; the transport's default when left out. */
  backoff?: BackoffOptions;
  random?: () => number;
  /** The gateway's shared broker connection (from the `mqtt:` section); needed by mqtt-* readers. */
  mqtt?: MqttLink;
}

/** A driver, or a typed error saying why there is none. */
export type CreateReaderResult = { ok: true; reader: ReaderDriver } | { ok: false; error: ReaderError };

/** Makes the driver for `config.driver` (not started); mqtt-* drivers need `deps.mqtt`. */
export function createReader(config: Reader, deps: ReaderDeps): CreateReaderResult {
  const common = {
    transportFactory: deps.transportFactory,
    clock: deps.clock,
    scheduler: deps.scheduler,
    logger: deps.logger,
    ...(deps.backoff === undefined ? {} : { backoff: deps.backoff }),
    ...(deps.random === undefined ? {} : { random: deps.random }),
  };
  switch (config.driver) {
    case "serial-line":
      return { ok: true, reader: new SerialLineReader(config, common) };
    case "rdm6300":
      return { ok: true, reader: new Rdm6300Reader(config, common) };
    case "mqtt-tasmota":
    case "mqtt-esp-rfid":
    case "mqtt-json":
    case "mqtt-text":
      if (deps.mqtt === undefined) {
        return {
          ok: false,
          error: new ReaderError(
            "READER_DRIVER_UNSUPPORTED",
            config.id,
            `driver ${config.driver} needs a broker, but the configuration has no mqtt: section (add mqtt: { url: mqtt://host:1883 })`,
          ),
        };
      }
      return {
        ok: true,
        reader: new MqttReader(config, { connection: deps.mqtt, clock: deps.clock, logger: common.logger }),
      };
    case "osdp":
      // The configuration is accepted and checked already; the control panel that drives the bus is not.
      return {
        ok: false,
        error: new ReaderError(
          "READER_DRIVER_UNSUPPORTED",
          config.id,
          `driver osdp is not available in this version of accessgw yet (the configuration is valid; the reader stays off until an accessgw with the OSDP control panel runs it)`,
        ),
      };
  }
}

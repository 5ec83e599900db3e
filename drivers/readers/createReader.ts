/** Picks a reader driver for a configured reader. */

import type { Logger } from "pino";
import type { Reader } from "../../config/gateway.js";
import type { Scheduler } from "../../runtime/scheduler.js";
import type { MqttLink } from "../mqtt/mqttTypes.js";
import { OsdpPorts } from "../osdp/osdpPorts.js";
import { cryptoRandom } from "../osdp/secureHandshake.js";
import type { BackoffOptions } from "../transport/backoff.js";
import type { TransportFactory } from "../transport/transport.js";
import { MqttReader } from "./mqttReader.js";
import { OsdpReader } from "./osdpReader.js";
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
  /** The gateway's OSDP ports (osdp readers on one port share its bus); without it, a port of its own. */
  osdpPorts?: OsdpPorts;
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
    case "osdp": {
      const ports = deps.osdpPorts ?? new OsdpPorts({ ...osdpPortDeps(deps), logger: common.logger });
      return {
        ok: true,
        reader: new OsdpReader(config, {
          ports,
          clock: deps.clock,
          scheduler: deps.scheduler,
          logger: common.logger,
        }),
      };
    }
  }
}

/** What an OSDP port needs from the readers' dependencies (the daemon's registry is made from these too). */
export function osdpPortDeps(
  deps: Omit<ReaderDeps, "logger">,
): Omit<ConstructorParameters<typeof OsdpPorts>[0], "logger"> {
  return {
    factory: deps.transportFactory,
    scheduler: deps.scheduler,
    // The control panel's timings need a clock that moves: never the (possibly fixed) wall clock.
    now: performance.now.bind(performance),
    random: cryptoRandom,
    ...(deps.backoff === undefined ? {} : { backoff: deps.backoff }),
  };
}

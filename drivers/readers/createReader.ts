/** Picks a reader driver for a configured reader. */
import type { Reader } from "../../config/gateway.js";
import type { BackoffOptions } from "../transport/backoff.js";
import type { Scheduler } from "../transport/reconnecting.js";
import type { TransportFactory } from "../transport/transport.js";
import { Rdm6300Reader } from "./rdm6300Reader.js";
import { type ReaderDriver, ReaderError, type ReaderLogger, silentLogger } from "./readerDriver.js";
import { SerialLineReader } from "./serialLineReader.js";

/** What createReader hands to the driver it makes. */
export interface ReaderDeps {
  transportFactory: TransportFactory;
  clock: () => number;
  scheduler: Scheduler;
  logger?: ReaderLogger;
  /** Reconnect backoff; the transport's default when left out. */
  backoff?: BackoffOptions;
  random?: () => number;
}

/** A driver, or a typed error saying why there is none. */
export type CreateReaderResult = { ok: true; reader: ReaderDriver } | { ok: false; error: ReaderError };

/** Makes the driver for `config.driver` (not started); mqtt-* drivers are not built yet. */
export function createReader(config: Reader, deps: ReaderDeps): CreateReaderResult {
  const common = {
    transportFactory: deps.transportFactory,
    clock: deps.clock,
    scheduler: deps.scheduler,
    logger: deps.logger ?? silentLogger,
    ...(deps.backoff === undefined ? {} : { backoff: deps.backoff }),
    ...(deps.random === undefined ? {} : { random: deps.random }),
  };
  switch (config.driver) {
    case "serial-line":
      return { ok: true, reader: new SerialLineReader(config, common) };
    case "rdm6300":
      return { ok: true, reader: new Rdm6300Reader(config, common) };
    default:
      return {
        ok: false,
        error: new ReaderError(
          "READER_DRIVER_UNSUPPORTED",
          config.id,
          `expected driver serial-line or rdm6300, found ${config.driver} (mqtt readers are not supported yet)`,
        ),
      };
  }
}

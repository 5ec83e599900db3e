/**
 * The gateway's OSDP buses as a feature: one per RS-485 port, opened by the first `osdp` reader on
 * it and closed with the last (drivers/osdp/osdpPorts.ts); `osdp-output` relays reach their PD
 * through the same bus. Started before the relays and stopped after them, so a door pulse in
 * flight at shutdown still finds its PD's bus.
 */
import type { Logger } from "pino";
import type { GatewayConfig } from "../../config/gateway.js";
import { OsdpPorts } from "../../drivers/osdp/osdpPorts.js";
import { cryptoRandom } from "../../drivers/osdp/secureHandshake.js";
import type { OsdpPdLocation } from "../../drivers/relays/osdpOutputRelay.js";
import type { BackoffOptions } from "../../drivers/transport/backoff.js";
import type { TransportFactory } from "../../drivers/transport/transport.js";
import type { Scheduler } from "../../runtime/scheduler.js";
import type { Feature } from "./controller.js";

/** What the OSDP feature is handed. */
export interface OsdpFeatureOptions {
  transportFactory: TransportFactory;
  scheduler: Scheduler;
  /** The control panel's timings (200 ms replies, 8 s offline) run on a monotonic clock, never the wall clock. */
  monotonic: () => number;
  logger: Logger;
  backoff?: BackoffOptions;
  /** The configuration running now (a reload replaces it). */
  config: () => GatewayConfig;
}

/** The OSDP ports of the daemon. */
export class OsdpFeature implements Feature {
  readonly name = "osdp";
  readonly ports: OsdpPorts;
  private readonly config: () => GatewayConfig;

  constructor(options: OsdpFeatureOptions) {
    this.config = options.config;
    this.ports = new OsdpPorts({
      factory: options.transportFactory,
      scheduler: options.scheduler,
      now: options.monotonic,
      random: cryptoRandom,
      logger: options.logger.child({ component: "osdp" }),
      ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
    });
  }

  /** Nothing to open: each port opens with its first reader. */
  start(): void {}

  /** Closes any port still open (its readers have normally left already). */
  async stop(): Promise<void> {
    await this.ports.stop();
  }

  /** The port and address of the PD behind osdp reader `readerId`, as configured now. */
  pd(readerId: string): OsdpPdLocation | undefined {
    const reader = this.config().readers.find((r) => r.id === readerId);
    return reader?.driver === "osdp" ? { port: reader.port, address: reader.address } : undefined;
  }
}

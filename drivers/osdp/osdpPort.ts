/**
 * An OSDP port: the bus on a transport that reopens itself (drivers/transport's reconnecting
 * transport with its jittered backoff), so an unplugged USB–RS-485 adapter or a dropped
 * `tcp://` serial server comes back on its own. While the link is down writes fail like a silent
 * line: the PDs time out and go offline after 8 s, and come back once the link and they answer.
 */
import type { Logger } from "pino";
import type { Scheduler } from "../../runtime/scheduler.js";
import type { BackoffOptions } from "../transport/backoff.js";
import { type Health, ReconnectingTransport } from "../transport/reconnecting.js";
import type { TransportFactory } from "../transport/transport.js";
import type { CpTimings } from "./cpTypes.js";
import { type BusPd, OsdpBus } from "./osdpBus.js";
import type { RandomSource } from "./secureHandshake.js";

/** What a port is handed. */
export interface OsdpPortOptions {
  /** A serial device path or `tcp://host:port`. */
  target: string;
  baudRate: number;
  pds: BusPd[];
  factory: TransportFactory;
  logger: Logger;
  scheduler: Scheduler;
  now: () => number;
  random: RandomSource;
  timings?: Partial<CpTimings>;
  backoff?: BackoffOptions;
}

/** One port's bus and its reconnecting link; the constructor only assigns, `start()` opens and polls. */
export class OsdpPort {
  readonly bus: OsdpBus;
  private readonly transport: ReconnectingTransport;
  private unsubscribe: (() => void) | undefined;

  constructor(options: OsdpPortOptions) {
    const { target, baudRate, factory, logger, scheduler, now, backoff } = options;
    this.transport = new ReconnectingTransport({
      target,
      factory,
      transportOptions: { baudRate },
      logger,
      scheduler,
      now,
      ...(backoff ? { backoff } : {}),
    });
    this.bus = new OsdpBus({ ...options, port: target, link: this.transport });
  }

  /** Opens the link (retrying with backoff) and starts polling once it is open. */
  start(): void {
    this.unsubscribe = this.transport.on("health", (h) => {
      if (h.state !== "open") return;
      // A reopened link starts clean: a half packet from before the break belongs to nobody.
      this.bus.lineReset();
      // The first time: polling starts now, not before, or the first ID would go into a port not
      // yet open, be lost, and each PD wait the 2 s retry before it is asked again.
      this.bus.start();
    });
    this.transport.start();
  }

  /** Stops polling (queued commands reject) and closes the link. */
  async stop(): Promise<void> {
    this.bus.stop();
    this.unsubscribe?.();
    await this.transport.stop();
  }

  /** The link's health: open, connecting, waiting (and why). */
  health(): Health {
    return this.transport.health();
  }
}
